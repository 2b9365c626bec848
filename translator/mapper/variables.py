"""Kept variables (``--keep-variables``) in the mapper: settle them before discovery, list them after.

Discovery rewrites the addresses one workload uses to reach another. When such an
address comes from a kept variable (``DB_HOST=${DB_HOST:-db}``), keeping the variable
would send the container to ``db``, which does not resolve under Nomad. So before
discovery runs, every value that holds kept variables is scanned with the variables at
their defaults; a variable whose text is part of a reference is resolved in place, with a
finding, and discovery then rewrites the address as usual.
"""

from __future__ import annotations

from translator import findings as codes
from translator.discovery.references import Reference, find_references
from translator.findings import Findings
from translator.model import Container, Project
from translator.nomad import Job
from translator.records import record
from translator.source import Position
from translator.variables import OPEN, KeptVariable, marker_spans, names_below


@record
class _Site:
    """One value holding kept variables, as written (markers) and at the variables' defaults."""

    container: Container
    where: str  # env | command | entrypoint
    key: str  # the variable name, or the argument's index
    written: str
    resolved: str
    spans: list[tuple[int, int, str]]  # each marker's (start, end, name) in ``resolved``


def settle_variables(project: Project, findings: Findings) -> None:
    """Resolve the kept variables whose values name another workload (see the module docstring)."""
    if not project.variables:
        return
    defaults = {v.name: v.default or "" for v in project.variables}
    sites: dict[tuple[str, str, str, str], _Site] = {}
    for workload in project.workloads:
        for container in workload.containers:
            for site in _sites(container, defaults):
                sites[(workload.name, container.name, site.where, site.key)] = site
                _store(site, site.resolved)
    if not sites:
        return
    overlapping: dict[tuple[str, str, str, str], set[int]] = {}
    for value in find_references(project).values:
        key = (value.workload, value.container, value.where, value.key)
        scanned = sites.get(key)
        if scanned is not None:
            overlapping.setdefault(key, set()).update(_overlaps(scanned, value.parts, value.original))
    # A variable that names a service is resolved at every use, so that one value serves them all.
    naming: dict[str, _Site] = {}
    for key, indexes in overlapping.items():
        for index in sorted(indexes):
            naming.setdefault(sites[key].spans[index][2], sites[key])
    for site in sites.values():
        chosen = {i for i, (_, _, name) in enumerate(site.spans) if name in naming}
        _store(site, _partly_resolved(site, chosen, defaults))
        for name in sorted({site.spans[i][2] for i in chosen}):
            why = (
                "the value names another service, whose address the translation rewrites"
                if naming[name] is site
                else f"its value names another service in {_described(naming[name])}"
            )
            findings.add(
                codes.VARIABLE_NAMES_SERVICE,
                _position(site),
                f"${{{name}}} in {_described(site)} was resolved to {defaults[name]!r}: {why}",
                "the rewritten address is fixed in the jobspec; the variable no longer sets it",
            )


def _sites(container: Container, defaults: dict[str, str]) -> list[_Site]:
    found = []
    for var in container.environment:
        if OPEN in var.value:
            found.append(_site(container, "env", var.name, var.value, defaults))
    for where in ("entrypoint", "command"):
        for index, arg in enumerate(getattr(container, where) or []):
            if OPEN in arg:
                found.append(_site(container, where, str(index), arg, defaults))
    return found


def _site(container: Container, where: str, key: str, written: str, defaults: dict[str, str]) -> _Site:
    resolved, spans, cursor = [], [], 0
    length = 0
    for start, end, name in marker_spans(written):
        literal = written[cursor:start]
        resolved.append(literal)
        length += len(literal)
        value = defaults[name]
        spans.append((length, length + len(value), name))
        resolved.append(value)
        length += len(value)
        cursor = end
    resolved.append(written[cursor:])
    return _Site(container, where, key, written, "".join(resolved), spans)


def _store(site: _Site, text: str) -> None:
    if site.where == "env":
        for var in site.container.environment:
            if var.name == site.key:
                var.value = text
        return
    args: list[str] = getattr(site.container, site.where)
    args[int(site.key)] = text


def _overlaps(site: _Site, parts: list[str | Reference], original: str) -> set[int]:
    """Indexes of the markers whose default text is part of a reference."""
    refs: list[tuple[int, int]] = []
    cursor = 0
    for part in parts:
        size = len(part.written) if isinstance(part, Reference) else len(part)
        if isinstance(part, Reference):
            refs.append((cursor, cursor + size))
        cursor += size
    if cursor != len(original) or original != site.resolved:
        return set(range(len(site.spans)))  # parts that do not add up: resolve them all, to be safe
    return {
        index
        for index, (start, end, _) in enumerate(site.spans)
        if any(_overlap(start, end, ref_start, ref_end) for ref_start, ref_end in refs)
    }


def _overlap(start: int, end: int, ref_start: int, ref_end: int) -> bool:
    if start == end:  # a variable whose default is empty: inside the reference, or not part of it
        return ref_start < start < ref_end
    return start < ref_end and ref_start < end


def _partly_resolved(site: _Site, chosen: set[int], defaults: dict[str, str]) -> str:
    if not chosen:
        return site.written
    pieces, cursor = [], 0
    for index, (start, end, name) in enumerate(marker_spans(site.written)):
        pieces.append(site.written[cursor:start])
        pieces.append(defaults[name] if index in chosen else site.written[start:end])
        cursor = end
    pieces.append(site.written[cursor:])
    return "".join(pieces)


def _position(site: _Site) -> Position:
    if site.where == "env":
        return next(v.position for v in site.container.environment if v.name == site.key)
    return getattr(site.container, f"{site.where}_position") or site.container.position


def _described(site: _Site) -> str:
    if site.where == "env":
        return f"the environment variable {site.key} of {site.container.name!r}"
    return f"{site.where} argument {int(site.key) + 1} of {site.container.name!r}"


def job_variables(job: Job, variables: list[KeptVariable]) -> list[KeptVariable]:
    """The variables ``job`` refers to, in name order: the ``variable`` blocks it must declare."""
    used = names_below(job)
    return [v for v in variables if v.name in used]


def report_variables(variables: list[KeptVariable], findings: Findings) -> None:
    """What became of each variable a job declares: its default, or that it must be given."""
    for variable in variables:
        name, default = variable.name, variable.default
        settable = f"nomad job run -var '{name}=...', or NOMAD_VAR_{name} in the environment"
        if default is None:
            required = variable.required or variable.uses[0]
            findings.add(
                codes.VARIABLE_REQUIRED,
                required.position,
                f"var.{name} has no default: Compose requires it"
                + (f" ({variable.description})" if variable.description else ""),
                f"give it a value when the job is submitted: {settable}",
                path=required.path,
            )
            continue
        findings.add(
            codes.VARIABLE_KEPT,
            variable.position,
            f"${{{name}}} became var.{name}, default {default!r} ({variable.origin})",
            f"another value can be given when the job is submitted: {settable}",
            path=variable.uses[0].path,
        )
        for use in variable.uses:
            if use.compose_value != default:
                said = "fails" if use.compose_value is None else f"gives {use.compose_value!r}"
                findings.add(
                    codes.VARIABLE_DEFAULTS_DIFFER,
                    use.position,
                    f"{name}: Compose {said} here; the Nomad variable's default is {default!r}",
                    "write the same default at every use, or set the variable when the job is submitted",
                    path=use.path,
                )
