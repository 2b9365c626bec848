"""The report model: plain data, one shape for the Markdown, the JSON and the terminal.

Every field is a string, a number, a list or one of these dataclasses, so ``dataclasses.asdict``
gives the JSON document (``schemas/report.schema.json`` describes it). Bump ``SCHEMA_VERSION``
when a field changes meaning or disappears; adding a field keeps it.
"""

from __future__ import annotations

from dataclasses import field

from translator.records import record

SCHEMA_VERSION = 2  # 2: references are one row per reference, read from the mapper's records

# A workload's status, from the worst finding that concerns it and from its dependencies.
READY = "ready"  # translated; at most visible changes (info), every dependency wired
APPROXIMATED = "approximated"  # runs, but something was approximated (warning) or a dependency is unwired
ACTION = "action"  # a person must act before it runs as before (error)

# What forwards a served name, by the record's ``via`` (translator/discovery/names.py): an nginx
# stream sidecar over a nomadService or Consul template, or an Envoy upstream; a name of the same
# group is localhost itself, with nothing in between.
FORWARDERS = {"nomad": "nginx", "consul": "nginx", "connect": "envoy", "local": ""}


@record
class FindingEntry:
    code: str
    severity: str  # info | warning | error
    title: str  # what the code means (the code table)
    file: str
    line: int
    column: int
    path: str  # YAML path in the source
    message: str
    hint: str
    workload: str  # the workload it concerns, "" for the project as a whole

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.line > 0 else self.file


@record
class PortRow:
    source: str  # as the source declared it: "8080:80/tcp", "expose 4317", "containerPort 8080"
    label: str  # the Nomad port label ("" when the port was left out)
    to: int | None  # the port the process listens on inside the allocation
    static: int | None  # a fixed host port, else None (dynamic)
    mode: str  # dynamic | static | none (not mapped)
    host_network: str | None
    services: list[str] = field(default_factory=list)  # Nomad services registered on this label
    change: str = ""  # what changed from the source, in words ("host port 8080 became dynamic")


@record
class ServiceRow:
    name: str
    port: str
    provider: str
    tags: list[str] = field(default_factory=list)


@record
class ReferenceRow:
    """A reference the discovery stage rewrote, one per reference in a value (values masked when they
    look secret); from a ``Wire(kind="rewritten")``."""

    task: str
    variable: str  # the env key, or ``args[i]`` / ``entrypoint[i]``
    before: str  # the value as written
    after: str  # what the task reads now, as people read it
    target: str = ""  # the workload it reaches ("" for an external host)
    service: str = ""  # the Nomad service looked up
    mode: str = ""  # nomad | consul | connect | local | external


@record
class NameRow:
    """A name that resolves inside the workload's allocation; from a ``Wire(kind="name")``."""

    name: str  # the host name the application uses
    address: str  # the loopback address it resolves to (extra_hosts)
    target: str  # the workload behind it
    service: str  # the Nomad service the forwarder reads ("" in the same group)
    port: int | None  # the port the application uses (None: every port, the same group)
    protocol: str
    mode: str  # nomad | consul | connect | local
    forwarder: str  # nginx | envoy | "" (the same group: nothing in between)
    why: str  # why the name is served


@record
class CheckRow:
    service: str
    type: str
    detail: str  # path, command or port


@record
class TaskRow:
    name: str
    image: str
    lifecycle: str = ""  # prestart, prestart sidecar, ...


@record
class WorkloadReport:
    name: str  # as written in the source
    kind: str  # Compose service, Deployment, ...
    source: str  # file:line
    job: str
    group: str
    status: str  # ready | approximated | action
    counts: dict[str, int]  # findings by severity
    tasks: list[TaskRow] = field(default_factory=list)
    ports: list[PortRow] = field(default_factory=list)
    services: list[ServiceRow] = field(default_factory=list)
    references: list[ReferenceRow] = field(default_factory=list)
    names: list[NameRow] = field(default_factory=list)  # names served in its allocation
    checks: list[CheckRow] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # the error findings' messages, for the overview
    # Workloads it depends on that nothing wires it to (no rewritten value, no served name): it
    # reaches them by a name nothing resolves, so it is not ready.
    unwired: list[str] = field(default_factory=list)


@record
class Edge:
    """Who reaches whom: a rewritten reference or a served name (one per wiring record, between
    workloads), a published port, or (when nothing is wired) a start-up dependency. ``source`` and
    ``target`` are workload names; ``external`` is the outside."""

    source: str
    target: str
    port: str  # the port number the client uses, or the published port's label ("" for a dependency)
    mode: str  # nomad | consul | connect (the wire's via) | published | static | depends_on
    kind: str  # rewritten | name | published | depends_on


@record
class Prerequisite:
    need: str  # what the cluster must provide
    reason: str
    workloads: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@record
class Summary:
    source: str  # compose | kubernetes
    project: str
    files: list[str]
    jobs: list[str]
    workloads: int
    ready: int
    approximated: int
    action: int
    readiness: int  # percent of workloads that run without a person (ready or approximated)
    counts: dict[str, int]  # findings by severity, after --ignore
    ignored: int  # findings left out by --ignore
    ignored_codes: list[str] = field(default_factory=list)
    project_actions: int = 0  # error findings that concern no single workload


@record
class Report:
    schema_version: int
    tool_version: str
    summary: Summary
    prerequisites: list[Prerequisite]
    workloads: list[WorkloadReport]
    findings: list[FindingEntry]
    edges: list[Edge]
    mermaid: str
