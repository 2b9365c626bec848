"""Container runtime settings → the docker driver's config options (nomad drivers/docker/config.go)."""

from __future__ import annotations

from typing import Any

from translator import findings as codes
from translator.findings import Findings
from translator.model import Container, Workload
from translator.nomad import DockerConfig

# Docker's name of a setting → the docker driver's option, in the order the jobspec writes them.
OPTIONS = {
    "privileged": "privileged", "cap_add": "cap_add", "cap_drop": "cap_drop",
    "security_opt": "security_opt", "read_only": "readonly_rootfs", "init": "init", "tty": "tty",
    "stdin_open": "interactive", "group_add": "group_add", "ipc": "ipc_mode", "pid": "pid_mode",
    "uts": "uts_mode", "userns_mode": "userns_mode", "runtime": "runtime", "isolation": "isolation",
    "mac_address": "mac_address", "cpuset": "cpuset_cpus", "oom_score_adj": "oom_score_adj",
    "pids_limit": "pids_limit", "shm_size": "shm_size", "labels": "labels", "sysctls": "sysctl",
    "ulimits": "ulimit", "logging": "logging", "devices": "devices",
}  # fmt: skip

# The capabilities a client's docker plugin allows by default (allow_caps; capabilities.HCLSpecLiteral).
# Docker's own default set also has NET_RAW.
DEFAULT_ALLOWED_CAPS = frozenset(
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    }
)  # fmt: skip
DEFAULT_ALLOWED_RUNTIMES = frozenset({"runc", "nvidia"})


def apply_settings(
    container: Container, workload: Workload, config: DockerConfig, findings: Findings
) -> None:
    """Copy the container's runtime settings into the task's docker config, with findings."""
    if not container.settings:
        return
    for name, option in OPTIONS.items():
        if name in container.settings:
            config.settings[option] = _option(name, container.settings[name])
    first = min(container.settings_positions.values())
    written = ", ".join(f"{name} → {OPTIONS[name]}" for name in OPTIONS if name in container.settings)
    findings.add(
        codes.DOCKER_SETTINGS,
        first,
        f"settings of {container.name!r} became docker config options: {written}",
        subject=workload.name,
    )
    for name, needs in _client_requirements(container.settings):
        findings.add(
            codes.DOCKER_CLIENT_ALLOWS,
            container.settings_positions[name],
            f"{name} of {container.name!r} runs only on clients whose docker plugin allows it",
            f"set {needs} in the docker plugin block of the clients' configuration",
            subject=workload.name,
        )


def _option(name: str, value: Any) -> Any:
    if name in ("cap_add", "cap_drop"):
        return [_capability(c) for c in value]  # as Nomad writes them: NET_ADMIN, not cap_net_admin
    if name == "logging":
        return {"type": value["driver"], "config": dict(value["options"])}
    if name == "devices":
        return [
            {"host_path": host, "container_path": target, "cgroup_permissions": permissions}
            for host, target, permissions in value
        ]
    return value


def _client_requirements(settings: dict[str, Any]) -> list[tuple[str, str]]:
    needs: list[tuple[str, str]] = []
    if settings.get("privileged") is True:
        needs.append(("privileged", "allow_privileged = true"))
    added = [_capability(c) for c in settings.get("cap_add", [])]
    beyond = [c for c in added if c not in DEFAULT_ALLOWED_CAPS]
    if beyond:
        listed = ", ".join(f'"{c}"' for c in sorted(DEFAULT_ALLOWED_CAPS | set(beyond)))
        needs.append(
            ("cap_add", f"allow_caps = [{listed}] (it allows {', '.join(beyond)} beside the defaults)")
        )
    runtime = settings.get("runtime")
    if isinstance(runtime, str) and runtime not in DEFAULT_ALLOWED_RUNTIMES:
        needs.append(("runtime", f'allow_runtimes = ["runc", "nvidia", "{runtime}"]'))
    return needs


def _capability(name: str) -> str:
    return name.upper().removeprefix("CAP_")
