"""Result → report model. Reads what the mapper decided; decides nothing itself.

The mapper's decisions are typed records in the Nomad model, and the report renders them:

- ``Group.wiring`` (``translator.nomad.Wire``): how each client reaches each target. ``rewritten``
  records are the references table, ``name`` records the names-served table; both are the
  diagram's edges between workloads, and a dependency (``depends_on``) that no record wires makes
  its client at best approximated.
- ``Service``, its ``checks`` and ``connect``; ``Network.ports``; ``Task``: the other tables.

Findings are shown as they are and counted for the statuses; nothing is read back out of their texts
or out of the rendered jobspec.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable
from typing import Any

from translator import __version__
from translator import findings as codes
from translator.api import Result
from translator.findings import CODES, Finding
from translator.model import ContainerPort, Workload
from translator.nomad import Group, Job, Port, Wire
from translator.report import mermaid
from translator.report.model import (
    ACTION,
    APPROXIMATED,
    FORWARDERS,
    READY,
    SCHEMA_VERSION,
    CheckRow,
    Edge,
    FindingEntry,
    NameRow,
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
from translator.report.places import placed as _placed
from translator.report.places import shown as _shown
from translator.report.places import unwired as _unwired
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
    workloads = [
        _workload(w, job, group, entries_of.get(w.name, []), _unwired(w, group, owners), base, details)
        for w, job, group in placed
    ]
    edges = _edges(placed, owners) if details else []
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


def _status(counts: dict[str, int], unwired: list[str]) -> str:
    """The worst finding decides; a dependency nothing wires needs a person: the application would
    fail at run time on a name nothing resolves."""
    if counts["error"] or unwired:
        return ACTION
    return APPROXIMATED if counts["warning"] else READY


# ----- one workload -----


def _workload(
    workload: Workload,
    job: Job | None,
    group: Group | None,
    own: list[FindingEntry],
    unwired: list[str],
    base: str,
    details: bool = True,
) -> WorkloadReport:
    """One workload's section; ``own`` are already this workload's findings, ``unwired`` its
    dependencies that no record wires."""
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
        status=_status(counts, unwired),
        counts=counts,
        tasks=_tasks(group),
        ports=_ports(workload, group),
        services=[
            ServiceRow(s.name, s.port, s.provider, [str(tag) for tag in s.tags])
            for s in (group.services if group else [])
        ],
        references=[_reference(w) for w in _wiring(group, "rewritten")],
        names=[_name(w) for w in _wiring(group, "name")],
        checks=_checks(group),
        actions=[e.message for e in own if e.severity == "error"]
        + [f"make {target!r} reachable: it is reached by a name nothing resolves" for target in unwired],
        unwired=unwired,
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


def _wiring(group: Group | None, kind: str) -> list[Wire]:
    return [w for w in group.wiring if w.kind == kind] if group is not None else []


def _reference(wire: Wire) -> ReferenceRow:
    return ReferenceRow(
        wire.task,
        wire.variable,
        mask_value(wire.variable, wire.before),
        mask_value(wire.variable, wire.after),
        wire.target,
        wire.service,
        wire.via,
    )


def _name(wire: Wire) -> NameRow:
    return NameRow(
        wire.name,
        wire.address,
        wire.target,
        wire.service,
        wire.port,
        wire.protocol,
        wire.via,
        FORWARDERS.get(wire.via, wire.via),
        wire.reason,
    )


def _checks(group: Group | None) -> list[CheckRow]:
    rows = []
    for service in group.services if group else []:
        for check in service.checks:
            rows.append(CheckRow(service.name, check.type, check.path or check.command or check.port))
    return rows


# ----- who reaches whom -----


def _edges(placed: list[tuple[Workload, Job | None, Group | None]], owners: dict[str, str]) -> list[Edge]:
    names = {w.name for w, _, _ in placed}
    traffic = [
        Edge(wire.client, wire.target, "" if wire.port is None else str(wire.port), wire.via, wire.kind)
        for _, _, group in placed
        for wire in (group.wiring if group else ())
        if wire.target in names
        and wire.target != wire.client  # not the outside, not its own group
        and wire.seen  # a namespace's every Service, served to each workload, would draw a full graph
    ]
    if not traffic:  # nothing wired: start-up order is the best evidence of who talks to whom
        for workload, _, _ in placed:
            for dependency in workload.depends_on:
                target = owners.get(dependency.target, "")
                if target and target != workload.name:
                    traffic.append(Edge(workload.name, target, "", "depends_on", "depends_on"))
    published = [
        Edge(
            mermaid.EXTERNAL,
            workload.name,
            port.label,
            "static" if port.static is not None else "published",
            "published",
        )
        for workload, _, group in placed
        for port, _ in _published(workload, group)
    ]
    return _unique([*published, *traffic])


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
    seen: set[tuple[str, str, str, str, str]] = set()
    result = []
    for edge in edges:
        key = (edge.source, edge.target, edge.port, edge.mode, edge.kind)
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
        if any(s.connect is not None for s in group.services):
            need("Consul Connect with Envoy", "upstreams go through Connect sidecars", workload.name)
        if any(w.kind == "name" and FORWARDERS.get(w.via) == "nginx" for w in group.wiring):
            need(
                "Clients that can pull the nginx image",
                "names are served by an nginx stream sidecar in the client's allocation",
                workload.name,
            )
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
