"""Container runtime settings → docker driver options: shapes, names and what clients must allow."""

from __future__ import annotations

from typing import Any

import pytest

from translator.api import Result, translate_text


def _run(service: str, consistency: bool = True) -> Result:
    return translate_text(f"services:\n  app:\n    image: example/app\n{service}", consistency=consistency)


def _settings(result: Result) -> dict[str, Any]:
    return result.jobs[0].groups[0].tasks[0].config.settings


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("    ulimits:\n      nofile: {soft: 1024, hard: 2048}\n      core: 0\n",
         {"ulimit": {"nofile": "1024:2048", "core": "0"}}),
        ("    devices: [/dev/fuse, '/dev/a:/dev/b:r']\n",
         {"devices": [
             {"host_path": "/dev/fuse", "container_path": "/dev/fuse", "cgroup_permissions": "rwm"},
             {"host_path": "/dev/a", "container_path": "/dev/b", "cgroup_permissions": "r"},
         ]}),
        ("    cap_add: [cap_sys_ptrace]\n    cap_drop: [ALL]\n",
         {"cap_add": ["SYS_PTRACE"], "cap_drop": ["ALL"]}),
        ("    shm_size: 1g\n    stdin_open: true\n    read_only: false\n",
         {"shm_size": 1 << 30, "interactive": True, "readonly_rootfs": False}),
        ("    logging:\n      driver: syslog\n", {"logging": {"type": "syslog", "config": {}}}),
        ("    sysctls: [net.ipv4.tcp_syncookies=0]\n", {"sysctl": {"net.ipv4.tcp_syncookies": "0"}}),
    ],
)  # fmt: skip
def test_settings_take_the_docker_drivers_names_and_shapes(service: str, expected: dict[str, Any]) -> None:
    result = _run(service)
    assert _settings(result) == expected
    codes = {f.code for f in result.findings}
    assert "T015" in codes and "T005" not in codes


@pytest.mark.parametrize(
    ("service", "allow"),
    [
        ("    privileged: true\n", "allow_privileged = true"),
        ("    cap_add: [SYS_ADMIN]\n", "SYS_ADMIN"),
        ("    runtime: runsc\n", 'allow_runtimes = ["runc", "nvidia", "runsc"]'),
    ],
)
def test_what_clients_refuse_by_default_is_a_warning_naming_the_setting(service: str, allow: str) -> None:
    (warning,) = [f for f in _run(service).findings if f.code == "T016"]
    assert allow in warning.hint


@pytest.mark.parametrize(
    "service", ["    cap_add: [CHOWN, KILL]\n", "    runtime: nvidia\n", "    privileged: false\n"]
)
def test_what_clients_allow_by_default_needs_no_warning(service: str) -> None:
    assert not [f for f in _run(service).findings if f.code == "T016"]


def test_a_value_of_the_wrong_shape_is_reported_not_dropped() -> None:
    result = _run("    ulimits: lots\n", consistency=False)
    assert _settings(result) == {}
    assert any(f.code == "T005" and "ulimits" in f.message for f in result.findings)


def test_json_output_writes_the_drivers_list_of_maps() -> None:
    import json

    result = translate_text(
        "services:\n  app:\n    image: example/app\n    labels: {team: core}\n    ulimits: {nproc: 10}\n",
    )
    (document,) = result.documents("json").values()
    config = json.loads(document)["Job"]["TaskGroups"][0]["Tasks"][0]["Config"]
    assert config["labels"] == [{"team": "core"}] and config["ulimit"] == [{"nproc": "10"}]
