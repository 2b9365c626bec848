"""The neutral model: what an application is, independent of Compose, Kubernetes and Nomad syntax.

A workload is a set of containers that share one network namespace (a Compose
service with the services joined to it by ``network_mode: service:X``, or a
Kubernetes Pod template). An endpoint is a name other workloads use to reach
some of its ports. Every element carries the source position it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from translator.source import Position


@dataclass
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


@dataclass
class EnvVar:
    name: str
    value: str
    position: Position


@dataclass
class Volume:
    kind: str  # bind, volume, tmpfs, npipe, ...
    source: str
    target: str
    read_only: bool
    position: Position


@dataclass
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


@dataclass
class Dependency:
    target: str  # workload source name
    condition: str  # started | healthy | completed
    required: bool
    position: Position


@dataclass
class Endpoint:
    """A name by which others reach a workload (service name, alias, link alias)."""

    name: str
    position: Position
    kind: str = "service"  # service | alias | link


@dataclass
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


@dataclass
class Project:
    name: str
    source: str  # compose | kubernetes
    files: list[str]
    workloads: list[Workload]
