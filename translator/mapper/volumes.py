"""Volumes → the group's host volumes and the task's mounts (named volumes, carried files, tmpfs)."""

from __future__ import annotations

import os
from typing import Any

from translator import findings as codes
from translator.discovery.envfile import template_raw_text
from translator.findings import Findings
from translator.model import Container, Project, Workload
from translator.nomad import Group, GroupVolume, Job, Task, Template, VolumeMount


def volume_mounts(container: Container, group: Group, task: Task) -> None:
    """Named volumes: a host volume on the group (one per volume), mounted into the task. Carried
    files: a template writes each into the task's local/ directory, and a bind mount puts it in
    place (a path inside the task directory needs no volumes.enabled on the client). tmpfs: a
    tmpfs mount."""
    mounts: list[dict[str, Any]] = []
    for volume in container.volumes:
        if volume.content is not None:
            destination = _unused_destination(task, "local/" + (os.path.basename(volume.source) or "file"))
            task.templates.append(
                Template(data=template_raw_text(volume.content), destination=destination, env=False)
            )
            mounts.append(
                {"type": "bind", "source": destination, "target": volume.target, "readonly": volume.read_only}
            )
            continue
        if volume.kind == "tmpfs":
            mounts.append({"type": "tmpfs", "target": volume.target})
            continue
        if volume.host_name is None:
            continue
        found = next((v for v in group.volumes if v.source == volume.host_name), None)
        if found is None:
            found = GroupVolume(name=volume.source, source=volume.host_name, read_only=volume.read_only)
            group.volumes.append(found)
        found.read_only = found.read_only and volume.read_only  # read-write if any mount writes
        task.volume_mounts.append(VolumeMount(found.name, volume.target, volume.read_only))
    if mounts:
        task.config.settings["mount"] = mounts


def _unused_destination(task: Task, wanted: str) -> str:
    taken = {t.destination for t in task.templates}
    stem, dot, suffix = wanted.rpartition(".") if "." in os.path.basename(wanted) else (wanted, "", "")
    candidate, number = wanted, 2
    while candidate in taken:
        candidate = f"{stem}-{number}{dot}{suffix}"
        number += 1
    return candidate


def shared_volumes(project: Project, job: Job, findings: Findings) -> None:
    """One Docker volume serves every container on its machine; a host volume is each client's own."""
    users: dict[str, list[tuple[Group, Workload]]] = {}
    for workload, group in zip(project.workloads, job.groups, strict=True):
        for volume in group.volumes:
            users.setdefault(volume.source, []).append((group, workload))
    for source, placed in users.items():
        if len(placed) < 2 and placed[0][0].count < 2:
            continue
        mounts = [v for _, w in placed for c in w.containers for v in c.volumes if v.host_name == source]
        who = ", ".join(repr(g.name) for g, _ in placed)
        findings.add(
            codes.VOLUME_SHARED,
            mounts[0].position,
            f"host volume {source!r} is used by {who}"
            + (f" with count = {placed[0][0].count}" if len(placed) == 1 else "")
            + ": a host volume is each client's own, so allocations on different clients see different data",
            "place them on one client (a constraint on the node), or use a CSI volume that several "
            "clients can mount",
            subject=placed[0][1].name,
        )
