"""The neutral model: what an application is, independent of Compose, Kubernetes and Nomad syntax.

A workload is a set of containers that share one network namespace (a Compose
service with the services joined to it by ``network_mode: service:X``, or a
Kubernetes Pod template). An endpoint is a name other workloads use to reach
some of its ports. Every element carries the source position it came from.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from translator.records import record
from translator.source import Position
from translator.variables import KeptVariable


@record
class ContainerPort:
    target: int
    position: Position
    protocol: str = "tcp"
    published: str | None = None  # "8080", or a range "8000-8010" when Compose picks any free port
    host_ip: str | None = None
    name: str | None = None
    app_protocol: str | None = None
    mode: str | None = None
    exposed_only: bool = False  # reachable by other containers, never published
    keep_static: bool = False  # the published port must stay fixed (Kubernetes hostPort, NodePort)


@record
class SecretRef:
    """A value the source kept in a secret store (a Kubernetes Secret); never written in plain text."""

    store: str  # the secret's name
    key: str


@record
class EnvVar:
    name: str
    value: str
    position: Position
    # A value known only at run time, by meaning: alloc.name, alloc.id, namespace, alloc.ip,
    # host.ip, node.name. The mapper picks the platform's variable for it; ``value`` is then unused.
    runtime: str | None = None
    secret: SecretRef | None = None  # read from the platform's secret store; ``value`` is unused


@record
class Volume:
    kind: str  # bind, volume, tmpfs, npipe, ...
    source: str
    target: str
    read_only: bool
    position: Position
    # A named volume: the name the platform knows it by (Compose: <project>_<name>, or its
    # name:), which the host volume on the clients takes.
    host_name: str | None = None
    # A bind-mounted file small enough to carry: its text, read when translating.
    content: str | None = None


@record
class Container:
    name: str
    position: Position
    image: str
    build_only: bool = False
    command: list[str] | None = None  # Compose command / Kubernetes args
    entrypoint: list[str] | None = None  # Compose entrypoint / Kubernetes command
    command_position: Position | None = None
    entrypoint_position: Position | None = None
    environment: list[EnvVar] = field(default_factory=list)
    ports: list[ContainerPort] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    hostname: str | None = None
    extra_hosts: list[tuple[str, str, Position]] = field(default_factory=list)
    dns_servers: list[str] = field(default_factory=list)
    dns_searches: list[str] = field(default_factory=list)
    dns_options: list[str] = field(default_factory=list)
    dns_position: Position | None = None
    restart: str | None = None
    restart_position: Position | None = None
    working_dir: str | None = None
    user: str | None = None
    # Container runtime settings by Docker's names, read from the source (see mapper/docker.py):
    # booleans, numbers, strings, lists of strings, string maps; ``ulimits`` as "soft:hard"
    # strings, ``logging`` as {"driver": ..., "options": {...}}, ``devices`` as
    # [host path, container path, permissions] triples.
    settings: dict[str, Any] = field(default_factory=dict)
    settings_positions: dict[str, Position] = field(default_factory=dict)
    stop_timeout: float | None = None  # seconds between the stop signal and SIGKILL
    stop_signal: str | None = None
    stop_position: Position | None = None
    # None: a main container. "init": runs to completion before the main containers start.
    # "sidecar": started before the main containers and kept running beside them.
    lifecycle: str | None = None
    cpu_millicores: int | None = None  # requested CPU (Kubernetes requests.cpu, else limits.cpu)
    memory_bytes: int | None = None  # requested memory (requests.memory, else limits.memory)
    memory_limit_bytes: int | None = None  # hard memory limit, when above the request
    resources_position: Position | None = None
    checks: list[HealthCheck] = field(default_factory=list)  # health checks and probes, in source order


@record
class HealthCheck:
    """A health check or probe: how to ask a container whether it is healthy.

    ``kind`` is what the check does: ``http`` (a request to ``port`` at ``path``), ``tcp`` (a
    connection to ``port``), ``grpc`` (the gRPC health service on ``port``) or ``script`` (run
    ``command`` inside the container). ``port`` is a container port number or, from Kubernetes,
    a container port name. Durations are seconds; None means the source left it unset.
    """

    kind: str  # http | tcp | grpc | script
    position: Position
    purpose: str = "liveness"  # liveness | readiness | startup
    port: int | str | None = None
    path: str | None = None
    method: str | None = None
    headers: dict[str, list[str]] = field(default_factory=dict)
    scheme: str | None = None  # http | https
    grpc_service: str | None = None
    command: list[str] | None = None  # script: the argv to run
    interval: float | None = None
    timeout: float | None = None
    grace: float | None = None  # time after start during which failures do not count
    limit: int | None = None  # consecutive failures before the container counts as unhealthy
    source: str = ""  # the source's command or probe handler, for messages
    any_status: bool = False  # http: any answer passes (curl without --fail), not only a success


@record
class Dependency:
    target: str  # workload source name
    condition: str  # started | healthy | completed
    required: bool
    position: Position
    dependant: str = ""  # the service (container) that depends, when its workload holds several


@record
class EndpointPort:
    """A port clients use (a Kubernetes Service ``port``) and the container port behind it."""

    port: int
    target: int
    position: Position
    name: str | None = None
    protocol: str = "tcp"


@record
class Endpoint:
    """A name by which others reach a workload (service name, alias, link alias, Kubernetes Service).

    ``hostnames`` lists every DNS form that resolves to it; the bare ``name`` (and ``name.ns``
    forms that omit the namespace) resolve only from workloads in the same ``namespace``. ``ports``
    maps the port clients dial to the container port; when it is empty every container port of
    the workload is reachable under its own number (Compose). An ``external_name`` endpoint is a
    DNS alias for a host outside the project: references to it are replaced by that host.
    """

    name: str
    position: Position
    kind: str = "service"  # service | alias | link | external
    ports: list[EndpointPort] = field(default_factory=list)
    hostnames: list[str] = field(default_factory=list)
    namespace: str | None = None
    external_name: str | None = None


@record
class Workload:
    name: str  # as written in the source
    position: Position
    containers: list[Container]
    kind: str = "service"  # the source construct, for the report
    job_type: str = "service"
    count: int = 1
    count_position: Position | None = None
    network_mode: str = "bridge"  # bridge | host | none
    endpoints: list[Endpoint] = field(default_factory=list)
    depends_on: list[Dependency] = field(default_factory=list)
    namespace: str | None = None  # Kubernetes namespace (None: the default one)
    labels: dict[str, str] = field(default_factory=dict)
    schedule: Schedule | None = None  # a periodic batch workload (Kubernetes CronJob)
    # Instances known one by one under this Service (a StatefulSet's serviceName): <name>-<i>.<service>
    instance_service: str | None = None


@record
class Schedule:
    crons: list[str]
    position: Position
    prohibit_overlap: bool = False
    time_zone: str | None = None


@record
class Project:
    name: str
    source: str  # compose | kubernetes
    files: list[str]
    workloads: list[Workload]
    endpoints: list[Endpoint] = field(default_factory=list)  # not backed by a workload (ExternalName)
    job_per_workload: bool = False  # Kubernetes: one job per workload object
    # Variables set when the job is submitted (Compose --keep-variables); strings refer to them
    # through markers (translator/variables.py).
    variables: list[KeptVariable] = field(default_factory=list)
