"""The report model: plain data, one shape for the Markdown, the JSON and the terminal.

Every field is a string, a number, a list or one of these dataclasses, so ``dataclasses.asdict``
gives the JSON document (``schemas/report.schema.json`` describes it). Bump ``SCHEMA_VERSION``
when a field changes meaning or disappears; adding a field keeps it.
"""

from __future__ import annotations

from dataclasses import field

from translator.records import record

SCHEMA_VERSION = 1

# A workload's status, from the worst finding that concerns it.
READY = "ready"  # translated; at most visible changes (info)
APPROXIMATED = "approximated"  # runs, but something was approximated (warning)
ACTION = "action"  # a person must act before it runs as before (error)


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
    """A service reference the discovery stage rewrote (values masked when they look secret)."""

    task: str
    variable: str
    before: str
    after: str
    target: str = ""  # the service it reaches
    mode: str = ""  # nomad | consul | connect | localhost


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
    checks: list[CheckRow] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # the error findings' messages, for the overview


@record
class Edge:
    """Who reaches whom: a rewritten reference, a Connect upstream, or (until discovery data exists)
    a start-up dependency. ``source`` and ``target`` are workload names; ``external`` is the outside."""

    source: str
    target: str
    port: str  # the port label or number reached ("" for a dependency)
    mode: str  # nomad | consul | connect | localhost | published | depends_on


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
    readiness: int  # percent of workloads that run without a person (no error finding)
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
