"""CPU and memory of a container → the task's ``resources`` block (Compose and Kubernetes alike)."""

from __future__ import annotations

import math

from translator import findings as codes
from translator.findings import Findings
from translator.model import Container, Workload
from translator.nomad import Resources

# Nomad reserves CPU in MHz, Compose and Kubernetes in cores. The translation counts one core as
# 1000 MHz (1 millicore = 1 MHz): below the clock of any current server CPU, so a job never asks
# for more than the source did. Nomad's cpu is a scheduling share, not a cap.
MHZ_PER_CORE = 1000
MIN_MEMORY_MB = 10  # Nomad refuses less
MIB = 1024 * 1024


def task_resources(container: Container, workload: Workload, findings: Findings) -> Resources | None:
    if container.cpu_millicores is None and container.memory_bytes is None:
        return None
    compose = workload.kind == "Compose service"
    resources = Resources()
    parts: list[str] = []
    if container.cpu_millicores is not None:
        resources.cpu = max(1, math.ceil(container.cpu_millicores * MHZ_PER_CORE / 1000))
        written = (
            f"cpus {container.cpu_millicores / 1000:g}" if compose else f"cpu {container.cpu_millicores}m"
        )
        parts.append(f"{written} → cpu = {resources.cpu} MHz (1 core = {MHZ_PER_CORE} MHz)")
    if container.memory_bytes is not None:
        resources.memory = max(MIN_MEMORY_MB, math.ceil(container.memory_bytes / MIB))
        parts.append(f"memory = {resources.memory} MB")
    if container.memory_limit_bytes is not None:
        resources.memory_max = max(resources.memory or 0, math.ceil(container.memory_limit_bytes / MIB))
        parts.append(f"memory_max = {resources.memory_max} MB")
    findings.add(
        codes.RESOURCES_MAPPED if compose else codes.K8S_CPU,
        container.resources_position or container.position,
        f"resources of {container.name!r}: " + ", ".join(parts),
        "memory_max takes effect only when the cluster enables memory oversubscription"
        if resources.memory_max
        else "",
        subject=workload.name,
    )
    return resources
