"""How a task stops: the source's grace period and signal → kill_timeout and kill_signal."""

from __future__ import annotations

from translator import findings as codes
from translator.compose.normalize import format_duration
from translator.findings import Findings
from translator.model import Container, Workload
from translator.nomad import Task

# A Nomad client kills a task after at most its max_kill_timeout, 30s unless configured.
MAX_KILL_TIMEOUT_SECONDS = 30


def stop_settings(container: Container, workload: Workload, task: Task, findings: Findings) -> None:
    """The time (and signal) a container gets to stop: Nomad's default is 5s and SIGINT."""
    pos = container.stop_position
    if pos is None:
        return
    compose = workload.kind == "Compose service"
    said = []
    if container.stop_timeout is not None:
        task.kill_timeout = format_duration(round(container.stop_timeout * 10**9))
        what = "stop_grace_period" if compose else "terminationGracePeriodSeconds"
        said.append(f"{what} became kill_timeout {task.kill_timeout}")
        if container.stop_timeout > MAX_KILL_TIMEOUT_SECONDS:
            findings.add(
                codes.STOP_CAPPED,
                pos,
                f"kill_timeout {task.kill_timeout} of {container.name!r} is cut to the client's "
                f"max_kill_timeout, {MAX_KILL_TIMEOUT_SECONDS}s unless the client configuration raises it",
                f'set client {{ max_kill_timeout = "{task.kill_timeout}" }} on the clients that run it',
                subject=workload.name,
            )
    if container.stop_signal is not None:
        task.kill_signal = container.stop_signal
        said.append(f"stop_signal became kill_signal {task.kill_signal}")
    findings.add(codes.STOP_MAPPED, pos, f"{container.name!r}: " + "; ".join(said), subject=workload.name)
