"""Where findings and workloads are shown from, shared by the full report and the CLI summary."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from translator.api import Result
    from translator.model import Workload
    from translator.nomad import Group, Job


def owners(workloads: Iterable[Workload]) -> dict[str, str]:
    """Finding subject → workload: a workload's own name and each container's (a Compose service
    that joined another's network is reported under its own name)."""
    found: dict[str, str] = {}
    for workload in workloads:
        found.setdefault(workload.name, workload.name)
        for container in workload.containers:
            found.setdefault(container.name, workload.name)
    return found


def placed(result: Result) -> list[tuple[Workload, Job | None, Group | None]]:
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


def unwired(workload: Workload, group: Group | None, owners: dict[str, str]) -> list[str]:
    """The other workloads ``workload`` depends on that no record of its group wires it to (neither a
    rewritten value nor a served name): it reaches them by a name nothing resolves."""
    wired = {wire.target for wire in group.wiring} if group is not None else set()
    found: list[str] = []
    for dependency in workload.depends_on:
        if dependency.condition == "completed":
            continue  # a one-shot task that must finish first: an order, not a connection (names.py)
        target = owners.get(dependency.target, "")  # undefined targets are the loader's to report
        if target and target != workload.name and target not in wired and target not in found:
            found.append(target)
    return found


def base_directory(files: list[str]) -> str:
    """Positions are shown relative to the directory holding the inputs: readable, and the same
    wherever the project is checked out."""
    real = [os.path.abspath(f) for f in files if f not in ("-", "") and not f.startswith("<")]
    if not real:
        return ""
    return os.path.commonpath([os.path.dirname(f) for f in real])


def shown(file: str, base: str) -> str:
    return _relative(file, base, os.getcwd())


@functools.lru_cache(maxsize=1024)
def _relative(file: str, base: str, cwd: str) -> str:
    """``cwd`` is part of the key because ``abspath`` depends on it."""
    if base and not file.startswith("<"):
        relative = os.path.relpath(os.path.abspath(file), base)
        if not relative.startswith(".."):
            return relative
    return file
