"""The Nomad model: what the emitters write. No decisions are made after this point."""

from __future__ import annotations

import re
from dataclasses import field
from typing import Any

from translator.records import record
from translator.source import Position
from translator.variables import KeptVariable

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@record
class Port:
    label: str
    to: int | None = None
    static: int | None = None
    host_network: str | None = None


@record
class Network:
    mode: str = "bridge"
    ports: list[Port] = field(default_factory=list)
    hostname: str | None = None
    dns_servers: list[str] = field(default_factory=list)
    dns_searches: list[str] = field(default_factory=list)
    dns_options: list[str] = field(default_factory=list)

    @property
    def has_dns(self) -> bool:
        return bool(self.dns_servers or self.dns_searches or self.dns_options)


@record(frozen=True)
class EnvRef:
    """A deliberate ``${name}`` reference to a task environment variable, resolved by Nomad."""

    name: str


@record
class Interpolated:
    """A string made of literal parts, escaped on output, and deliberate variable references."""

    parts: list[str | EnvRef]

    def __str__(self) -> str:
        return "".join(p if isinstance(p, str) else f"${{{p.name}}}" for p in self.parts)


# A string value that may carry deliberate references (task env, driver args).
Text = str | Interpolated


@record
class Upstream:
    destination_name: str
    local_bind_port: int
    local_bind_address: str | None = None  # a loopback address that a served name resolves to


@record
class Connect:
    """``connect { sidecar_service { proxy { ... } } }`` of a Consul Connect service."""

    local_service_port: int | None = None
    upstreams: list[Upstream] = field(default_factory=list)


@record
class CheckRestart:
    limit: int
    grace: str | None = None  # a Go duration ("10s", "1m30s"); None: Nomad's default, 1s


@record
class Check:
    """A service ``check`` block; ``port`` empty means the service's port. Durations are Go text."""

    type: str  # http | tcp | grpc | script
    name: str
    interval: str
    timeout: str
    port: str = ""
    path: str | None = None
    method: str | None = None
    protocol: str | None = None  # https for an https http check
    header: dict[str, list[str]] = field(default_factory=dict)
    grpc_service: str | None = None
    command: str | None = None
    args: list[str] = field(default_factory=list)
    task: str | None = None  # script checks of group services run in this task
    check_restart: CheckRestart | None = None


@record
class Service:
    name: str
    port: str
    provider: str = "nomad"
    tags: list[Text] = field(default_factory=list)
    connect: Connect | None = None
    checks: list[Check] = field(default_factory=list)


@record
class Template:
    data: str
    destination: str
    env: bool = True
    change_mode: str = "restart"
    change_signal: str | None = None  # with change_mode "signal"


@record
class DockerConfig:
    image: str
    entrypoint: list[Text] | None = None
    args: list[Text] | None = None
    ports: list[str] = field(default_factory=list)
    network_mode: str | None = None
    hostname: str | None = None
    extra_hosts: list[str] = field(default_factory=list)
    dns_servers: list[str] = field(default_factory=list)
    dns_search_domains: list[str] = field(default_factory=list)
    dns_options: list[str] = field(default_factory=list)
    work_dir: str | None = None
    # Further docker driver options by their jobspec names, in output order: a bool, number,
    # string, list of strings, string map, ``logging`` {"type", "config"} or ``devices`` (a
    # list of {"host_path", "container_path", "cgroup_permissions"}).
    settings: dict[str, Any] = field(default_factory=dict)


@record
class GroupVolume:
    """A host volume the group asks the client for (``volume "name" { type = "host" }``)."""

    name: str
    source: str
    read_only: bool = False


@record
class VolumeMount:
    volume: str
    destination: str
    read_only: bool = False


@record
class Lifecycle:
    hook: str  # prestart | poststart | poststop
    sidecar: bool = False


@record
class Resources:
    cpu: int | None = None  # MHz
    memory: int | None = None  # MB
    memory_max: int | None = None  # MB


@record
class Task:
    name: str
    config: DockerConfig
    driver: str = "docker"
    user: str | None = None
    kill_timeout: str | None = None
    kill_signal: str | None = None
    env: dict[str, Text] = field(default_factory=dict)
    volume_mounts: list[VolumeMount] = field(default_factory=list)
    templates: list[Template] = field(default_factory=list)
    comment: str = ""
    lifecycle: Lifecycle | None = None
    resources: Resources | None = None

    @property
    def env_keys_are_identifiers(self) -> bool:
        """``env { }`` block keys must be HCL identifiers; otherwise the map attribute form is used."""
        return all(_IDENTIFIER.match(key) for key in self.env)


@record
class Wire:
    """One way a client workload reaches a target, as the mapper decided it (the report reads these).

    ``kind``: ``rewritten`` (a value the tool could see now reads the address), or ``name`` (the
    name resolves inside the client's allocation: ``extra_hosts`` plus a forwarder on ``address``).
    ``via``: how the address is found: ``nomad`` / ``consul`` (a template over ``nomadService`` /
    ``service``), ``connect`` (an upstream), ``local`` (the same group: localhost or 127.0.0.1) or
    ``external`` (an ExternalName host).
    """

    kind: str  # rewritten | name
    client: str  # the client workload, as named in the source
    target: str  # the target workload ("" for an external host)
    via: str  # nomad | consul | connect | local | external
    position: Position
    service: str = ""  # the Nomad service looked up
    port: int | None = None  # the port the application uses
    protocol: str = "tcp"
    task: str = ""  # rewritten: the client task
    variable: str = ""  # rewritten: the env key, or ``args[i]`` / ``entrypoint[i]``
    before: str = ""  # rewritten: the value as written
    after: str = ""  # rewritten: what the task reads now, as people read it
    name: str = ""  # name: the host name served
    address: str = ""  # name: the loopback address it resolves to
    reason: str = ""  # name: why it is served, as people read it
    # name: False when served only because the target is within reach (every Service of a
    # Kubernetes namespace), with nothing showing that the client uses it.
    seen: bool = True


@record
class Restart:
    attempts: int
    mode: str  # fail | delay
    interval: str | None = None
    delay: str | None = None


@record
class Group:
    name: str
    network: Network
    tasks: list[Task]
    count: int = 1
    services: list[Service] = field(default_factory=list)
    restart: Restart | None = None
    comment: str = ""
    volumes: list[GroupVolume] = field(default_factory=list)
    wiring: list[Wire] = field(default_factory=list)  # decisions only: the emitters never read them


@record
class Periodic:
    crons: list[str]
    prohibit_overlap: bool = False
    time_zone: str | None = None


@record
class Job:
    name: str
    groups: list[Group]
    type: str = "service"
    datacenters: list[str] = field(default_factory=lambda: ["*"])
    namespace: str | None = None
    comment: str = ""
    periodic: Periodic | None = None
    meta: dict[str, str] = field(default_factory=dict)
    variables: list[KeptVariable] = field(default_factory=list)  # ``variable`` blocks (--keep-variables)

    @property
    def meta_keys_are_identifiers(self) -> bool:
        return all(_IDENTIFIER.match(key) for key in self.meta)
