"""Result → report model. Reads what the mapper decided; decides nothing itself.

Extension point for the discovery stage: the report reads, when the Nomad model has them,

- ``Task.references``: items with ``variable``, ``before``, ``after``, ``target`` (the Nomad service
  reached), ``port`` and ``mode`` (nomad | consul | connect | localhost), one per rewritten value;
- ``Service.connect.upstreams``: items with ``destination_name`` and ``local_bind_port``;
- ``Service.checks``: items with ``type`` and ``path``, ``command`` or ``port``.

Until they exist the tables are empty and the diagram shows start-up dependencies (``depends_on``)
instead of traffic. Attributes are read with ``getattr`` so that this module keeps working while
the model grows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

from translator import __version__
from translator import findings as codes
from translator.api import Result
from translator.findings import CODES, Finding
from translator.model import ContainerPort, Workload
from translator.nomad import Group, Job, Port, Task
from translator.report import mermaid
from translator.report.model import (
    ACTION,
    APPROXIMATED,
    READY,
    SCHEMA_VERSION,
    CheckRow,
    Edge,
    FindingEntry,
    PortRow,
    Prerequisite,
    ReferenceRow,
    Report,
    ServiceRow,
    Summary,
    TaskRow,
    WorkloadReport,
)
from translator.report.places import base_directory as _base_directory
from translator.report.places import owners as _owners
from translator.report.places import shown as _shown
from translator.report.secrets import mask_value, report_text

SEVERITIES = ("error", "warning", "info")

# Findings that mean the cluster must provide something before the job runs (DESIGN §4).
_PREREQUISITE_CODES: dict[str, tuple[str, str]] = {
    codes.BUILD_ONLY: ("An image registry the clients can pull from", "images that were only built locally"),
    codes.VOLUME_BIND: ("Host volumes on the clients, or CSI volumes", "bind mounts of host paths"),
    codes.VOLUME_HOST: ("Host volumes on the clients, or CSI volumes", "named volumes hold data"),
    codes.PORT_HOST_IP: ("host_network blocks in the client configuration", "ports bound to one address"),
    codes.HOST_NETWORK_NEEDED: (
        "host_network blocks in the client configuration",
        "ports name a host_network",
    ),
    codes.SECRET_NOT_TRANSLATED: ("Nomad Variables holding the secrets", "secrets and configs"),
    codes.K8S_SECRET_VARIABLE: (
        "Nomad Variables holding the secrets",
        "Secret references read Nomad Variables",
    ),
    codes.K8S_LOAD_BALANCER: ("A load balancer in front of the jobs", "LoadBalancer Services"),
    codes.VARIABLE_REQUIRED: (
        "Values for the job variables that have no default",
        "nomad job run -var NAME=... (or NOMAD_VAR_NAME) for each, as Compose required them",
    ),
}


def build_report(result: Result, ignored: Collection[str] = (), *, details: bool = True) -> Report:
    """The report for ``result``; findings whose code is in ``ignored`` are left out (and counted).

    Without ``details`` the per-workload tables and the diagram are left empty: what the stderr
    summary needs (counts, readiness, errors) costs a fraction of the full report.
    """
    kept = [f for f in result.findings if f.code not in ignored]
    base = _base_directory(result.project.files)
    owners = _owners(result.project.workloads)
    entries = [_entry(f, owners, base) for f in kept]
    placed = _placed(result)
    # Each workload sees only its own entries and findings: indexed once, so the report stays
    # linear in the number of workloads.
    entries_of: dict[str, list[FindingEntry]] = {}
    for entry in entries:
        entries_of.setdefault(entry.workload, []).append(entry)
    findings_of: dict[str, list[Finding]] = {}
    for finding in kept:
        if finding.subject in owners:
            findings_of.setdefault(owners[finding.subject], []).append(finding)
    workloads = [
        _workload(w, job, group, entries_of.get(w.name, []), findings_of.get(w.name, []), base, details)
        for w, job, group in placed
    ]
    edges = _edges(placed, workloads, owners) if details else []
    names = [w.name for w in result.project.workloads]
    report = Report(
        schema_version=SCHEMA_VERSION,
        tool_version=__version__,
        summary=_summary(result, workloads, entries, len(result.findings) - len(kept), ignored, base),
        prerequisites=_prerequisites(placed, entries),
        workloads=workloads,
        findings=entries,
        edges=edges,
        mermaid=mermaid.flowchart(names, edges) if details else "",
    )
    _scrub(report, *report_text(result))
    return report


# ----- placement: which job and group each workload became -----


def _placed(result: Result) -> list[tuple[Workload, Job | None, Group | None]]:
    """Workloads with their job and group. The mapper makes groups in workload order (one job for a
    Compose project, one job per workload for Kubernetes); anything else leaves them unpaired."""
    workloads = result.project.workloads
    if result.project.job_per_workload and len(result.jobs) == len(workloads):
        return [
            (w, j, j.groups[0] if j.groups else None) for w, j in zip(workloads, result.jobs, strict=True)
        ]
    if len(result.jobs) == 1 and len(result.jobs[0].groups) == len(workloads):
        job = result.jobs[0]
        return [(w, job, g) for w, g in zip(workloads, job.groups, strict=True)]
    return [(w, None, None) for w in workloads]


# ----- findings -----


def _entry(finding: Finding, owners: dict[str, str], base: str) -> FindingEntry:
    position = finding.position
    return FindingEntry(
        code=finding.code,
        severity=str(finding.severity),
        title=CODES[finding.code].title,
        file=_shown(position.file, base),
        line=position.line,
        column=position.column,
        path=finding.path,
        message=finding.message,
        hint=finding.hint,
        workload=owners.get(finding.subject, finding.subject),
    )


def _counts(entries: Iterable[FindingEntry]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for entry in entries:
        counts[entry.severity] += 1
    return counts


def _status(counts: dict[str, int]) -> str:
    if counts["error"]:
        return ACTION
    return APPROXIMATED if counts["warning"] else READY


# ----- one workload -----


def _workload(
    workload: Workload,
    job: Job | None,
    group: Group | None,
    own: list[FindingEntry],
    findings: list[Finding],
    base: str,
    details: bool = True,
) -> WorkloadReport:
    """One workload's section; ``own`` and ``findings`` are already this workload's."""
    counts = _counts(own)
    if not details:
        group = None  # the tables below come out empty
    position = workload.position
    return WorkloadReport(
        name=workload.name,
        kind=workload.kind,
        source=f"{_shown(position.file, base)}:{position.line}"
        if position.line
        else _shown(position.file, base),
        job=job.name if job else "",
        group=group.name if group else "",
        status=_status(counts),
        counts=counts,
        tasks=_tasks(group),
        ports=_ports(workload, group),
        services=[
            ServiceRow(s.name, s.port, s.provider, list(s.tags)) for s in (group.services if group else [])
        ],
        references=_references(workload, group, findings),
        checks=_checks(group),
        actions=[e.message for e in own if e.severity == "error"],
    )


def _tasks(group: Group | None) -> list[TaskRow]:
    rows = []
    for task in group.tasks if group else []:
        lifecycle = ""
        if task.lifecycle is not None:
            lifecycle = task.lifecycle.hook + (" sidecar" if task.lifecycle.sidecar else "")
        rows.append(TaskRow(task.name, task.config.image, lifecycle))
    return rows


def _ports(workload: Workload, group: Group | None) -> list[PortRow]:
    ports = group.network.ports if group else []
    host_mode = workload.network_mode == "host"
    rows = []
    for container in workload.containers:
        for source in container.ports:
            port = _nomad_port(source, ports)
            services = [s.name for s in group.services if port and s.port == port.label] if group else []
            rows.append(
                PortRow(
                    source=_port_source(source),
                    label=port.label if port else "",
                    to=port.to if port else None,
                    static=port.static if port else None,
                    mode=("static" if port.static is not None else "dynamic") if port else "none",
                    host_network=port.host_network if port else None,
                    services=services,
                    change=_port_change(source, port, host_mode),
                )
            )
    return rows


def _nomad_port(source: ContainerPort, ports: list[Port]) -> Port | None:
    """The group port a container port became: ``to`` is the container port (bridge), or ``static``
    is when there is no ``to`` (host networking)."""
    for port in ports:
        if port.to == source.target or (port.to is None and port.static == source.target):
            return port
    return None


def _port_source(source: ContainerPort) -> str:
    if source.exposed_only:
        text = f"expose {source.target}"
    elif source.published:
        host = f"{source.host_ip}:" if source.host_ip else ""
        text = f"{host}{source.published}:{source.target}"
    else:
        text = str(source.target)
    if source.protocol != "tcp":
        text += f"/{source.protocol}"
    return f"{text} ({source.name})" if source.name else text


def _port_change(source: ContainerPort, port: Port | None, host_mode: bool) -> str:
    if port is None:
        return "not mapped"
    if host_mode:
        return "host networking: the process binds the host port"
    if source.exposed_only:
        return "internal port now has a host port"
    if source.published and port.static is None:
        return f"host port {source.published} became dynamic"
    if source.published:
        return f"host port {source.published} kept"
    return ""


def _references(workload: Workload, group: Group | None, findings: list[Finding]) -> list[ReferenceRow]:
    """Rewritten references: the discovery stage's own records when the model has them, else one row
    per D001 finding, its before from the neutral model and its after from the task as emitted."""
    rows = [row for task in (group.tasks if group else []) for row in _recorded(task)]
    if rows or group is None:
        return rows
    names = {workload.name, *(c.name for c in workload.containers)}
    for finding in findings:
        if finding.code != _REWRITTEN or finding.subject not in names:
            continue
        for container, task in zip(workload.containers, group.tasks, strict=False):
            for var in container.environment:
                if var.position == finding.position:
                    after = _emitted_value(task, var.name)
                    rows.append(_row(task.name, var.name, var.value, after, *_target_of(after)))
    return rows


def _recorded(task: Task) -> list[ReferenceRow]:
    return [
        _row(
            task.name,
            str(getattr(ref, "variable", "")),
            str(getattr(ref, "before", "")),
            str(getattr(ref, "after", "")),
            str(getattr(ref, "target", "")),
            str(getattr(ref, "mode", "")),
        )
        for ref in getattr(task, "references", ())
    ]


def _row(task: str, variable: str, before: str, after: str, target: str, mode: str) -> ReferenceRow:
    return ReferenceRow(
        task, variable, mask_value(variable, before), mask_value(variable, after), target, mode
    )


def _emitted_value(task: Task, name: str) -> str:
    """The value as the jobspec gives it: the env entry, else the template line that renders it."""
    if name in task.env:
        return str(task.env[name])
    prefix = f"{name}="
    for template in task.templates:
        for line in template.data.splitlines():
            if line.startswith(prefix):
                return line[len(prefix) :]
    return ""


# translator.findings.DISCOVERY_REWRITTEN, named by its code: the report must not need the discovery
# stage to be present.
_REWRITTEN = "D001"

# What a rewritten value reads from, in the text the discovery stage emits.
_TARGETS = (
    (re.compile(r'nomadService "([^"@]+)"'), "nomad"),
    (re.compile(r'\bservice "([^"@]+)'), "consul"),
    (re.compile(r"NOMAD_UPSTREAM_[A-Z]+_([A-Za-z0-9_]+)"), "connect"),
)


def _target_of(after: str) -> tuple[str, str]:
    for pattern, mode in _TARGETS:
        match = pattern.search(after)
        if match:
            return match.group(1), mode
    return ("", "localhost") if "localhost" in after else ("", "")


def _checks(group: Group | None) -> list[CheckRow]:
    rows = []
    for service in group.services if group else []:
        for check in getattr(service, "checks", ()):
            detail = next(
                (str(getattr(check, a)) for a in ("path", "command", "port") if getattr(check, a, None)), ""
            )
            rows.append(CheckRow(service.name, str(getattr(check, "type", "")), detail))
    return rows


# ----- who reaches whom -----


def _edges(
    placed: list[tuple[Workload, Job | None, Group | None]],
    reports: list[WorkloadReport],
    owners: dict[str, str],
) -> list[Edge]:
    by_service = {s.name: (w.name, s.port) for w, _, g in placed for s in (g.services if g else [])}
    traffic: list[Edge] = []
    for (workload, _, group), report in zip(placed, reports, strict=True):
        for ref in report.references:
            target, port = by_service.get(ref.target, ("", ""))
            if target and target != workload.name:
                traffic.append(Edge(workload.name, target, port, ref.mode))
        for upstream in _upstreams(group):
            target, port = by_service.get(str(getattr(upstream, "destination_name", "")), ("", ""))
            if target and target != workload.name:
                traffic.append(Edge(workload.name, target, port, "connect"))
    if not traffic:  # no discovery data: start-up order is the best evidence of who talks to whom
        for workload, _, _ in placed:
            for dependency in workload.depends_on:
                target = owners.get(dependency.target, "")
                if target and target != workload.name:
                    traffic.append(Edge(workload.name, target, "", "depends_on"))
    published = [
        Edge(
            mermaid.EXTERNAL, workload.name, port.label, "static" if port.static is not None else "published"
        )
        for workload, _, group in placed
        for port, _ in _published(workload, group)
    ]
    return _unique([*published, *traffic])


def _upstreams(group: Group | None) -> list[Any]:
    """Connect upstreams: on the group's services (``Service.connect.upstreams``)."""
    found: list[Any] = []
    for service in group.services if group else []:
        connect = getattr(service, "connect", None)
        found.extend(getattr(connect, "upstreams", None) or ())
    return found


def _published(workload: Workload, group: Group | None) -> list[tuple[Port, ContainerPort]]:
    ports = group.network.ports if group else []
    pairs = []
    for container in workload.containers:
        for source in container.ports:
            port = _nomad_port(source, ports)
            if port is not None and (source.published or source.keep_static) and not source.exposed_only:
                pairs.append((port, source))
    return pairs


def _unique(edges: list[Edge]) -> list[Edge]:
    seen: set[tuple[str, str, str, str]] = set()
    result = []
    for edge in edges:
        key = (edge.source, edge.target, edge.port, edge.mode)
        if key not in seen:
            seen.add(key)
            result.append(edge)
    return result


# ----- the project as a whole -----


def _summary(
    result: Result,
    workloads: list[WorkloadReport],
    entries: list[FindingEntry],
    ignored_count: int,
    ignored: Collection[str],
    base: str,
) -> Summary:
    statuses = [w.status for w in workloads]
    runnable = statuses.count(READY) + statuses.count(APPROXIMATED)
    names = {w.name for w in workloads}
    return Summary(
        source=result.project.source,
        project=result.project.name,
        files=[_shown(f, base) for f in result.project.files],
        jobs=[job.name for job in result.jobs],
        workloads=len(workloads),
        ready=statuses.count(READY),
        approximated=statuses.count(APPROXIMATED),
        action=statuses.count(ACTION),
        readiness=round(100 * runnable / len(workloads)) if workloads else 100,
        counts=_counts(entries),
        ignored=ignored_count,
        ignored_codes=sorted(ignored),
        project_actions=sum(1 for e in entries if e.severity == "error" and e.workload not in names),
    )


def _prerequisites(
    placed: list[tuple[Workload, Job | None, Group | None]], entries: list[FindingEntry]
) -> list[Prerequisite]:
    found: dict[str, Prerequisite] = {}

    def need(what: str, reason: str, workload: str, code: str = "") -> None:
        item = found.setdefault(what, Prerequisite(what, reason))
        if workload and workload not in item.workloads:
            item.workloads.append(workload)
        if code and code not in item.codes:
            item.codes.append(code)

    for workload, _, group in placed:
        if group is None:
            continue
        if group.network.mode == "bridge":
            need(
                "CNI plugins on every client",
                "bridge networking needs the CNI reference plugins (bridge, firewall, host-local, loopback, "
                "portmap) in the client's cni_path",
                workload.name,
            )
        if any(s.provider == "consul" for s in group.services):
            need("A Consul agent on every client", "services are registered in Consul", workload.name)
        if any(getattr(s, "connect", None) is not None for s in group.services):
            need("Consul Connect with Envoy", "upstreams go through Connect sidecars", workload.name)
        for port in group.network.ports:
            if port.host_network:
                need(
                    "host_network blocks in the client configuration",
                    "ports bound to one address",
                    workload.name,
                )
    for entry in entries:
        if entry.code in _PREREQUISITE_CODES:
            what, reason = _PREREQUISITE_CODES[entry.code]
            need(what, reason, entry.workload, entry.code)
    return list(found.values())


# ----- secrets -----


def _scrub(node: Any, scrub: Callable[[str], str], every: bool = True) -> None:
    """Mask known secret values in every string of the report (messages may quote a value).

    With ``every`` False only strings holding a URL can change (see ``report_text``): most
    strings need no call at all.
    """
    pending = [node]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    if every or "://" in value:
                        node[i] = scrub(value)
                elif isinstance(value, list) or _is_record(value):
                    pending.append(value)
        elif _is_record(node):
            for name in _field_names(type(node)):
                value = getattr(node, name)
                if isinstance(value, str):
                    if every or "://" in value:
                        setattr(node, name, scrub(value))
                elif isinstance(value, list) or _is_record(value):
                    pending.append(value)


def _is_record(value: Any) -> bool:
    """A dataclass instance (not a dataclass itself): what the report model is made of."""
    return hasattr(type(value), "__dataclass_fields__")


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    # Looked up once per report class rather than once per node: reports have tens of thousands.
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(item.name for item in dataclasses.fields(cls))
    return names
