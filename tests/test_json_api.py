"""The Nomad API JSON describes the same job as the HCL; durations and escaping follow the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FIXTURES, groups, job_body, parse_hcl, tasks, undo_template_escape
from translator.api import translate
from translator.emit.json_api import duration_ns
from translator.options import Options

CASES = sorted(p.parent for p in (FIXTURES / "compose").glob("*/compose.yaml"))


def _hcl_blocks(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key, [])
    return [value] if isinstance(value, dict) else list(value)


def _compare_group(name: str, hcl_group: dict[str, Any], api_group: dict[str, Any]) -> None:
    assert api_group["Name"] == name
    assert api_group["Count"] == hcl_group["count"]
    (network,) = hcl_group["network"]
    (api_network,) = api_group["Networks"]
    assert api_network["Mode"] == network["mode"]
    hcl_ports = {}
    for block in network.get("port", []):
        ((label, port),) = block.items()
        hcl_ports[label] = (port.get("static", 0), port.get("to", 0), port.get("host_network", "default"))
    api_ports = {
        p["Label"]: (p["Value"], p["To"], p["HostNetwork"])
        for p in api_network["DynamicPorts"] + api_network["ReservedPorts"]
    }
    assert api_ports == hcl_ports
    assert all(p["Value"] > 0 for p in api_network["ReservedPorts"])
    assert all(p["Value"] == 0 for p in api_network["DynamicPorts"])
    hcl_services = [(s["name"], s.get("port", ""), s["provider"]) for s in hcl_group.get("service", [])]
    api_services = [(s["Name"], s["PortLabel"], s["Provider"]) for s in api_group.get("Services", [])]
    assert api_services == hcl_services
    pairs = zip(hcl_group.get("service", []), api_group.get("Services", []), strict=True)
    for hcl_service, api_service in pairs:
        hcl_checks = [_hcl_check(c) for c in hcl_service.get("check", [])]
        assert [_api_check(c) for c in api_service.get("Checks", [])] == hcl_checks
    hcl_volumes = {name: body for block in hcl_group.get("volume", []) for name, body in block.items()}
    assert {
        name: {"Name": name, "Type": body["type"], "Source": body["source"], "ReadOnly": body["read_only"]}
        for name, body in hcl_volumes.items()
    } == api_group.get("Volumes", {})
    api_tasks = {t["Name"]: t for t in api_group["Tasks"]}
    for task_name, task in tasks(hcl_group).items():
        api_task = api_tasks[task_name]
        kill_timeout = duration_ns(task["kill_timeout"]) if "kill_timeout" in task else None
        assert (api_task.get("KillTimeout"), api_task.get("KillSignal")) == (
            kill_timeout,
            task.get("kill_signal"),
        )
        mounts = [
            {"Volume": m["volume"], "Destination": m["destination"], "ReadOnly": m["read_only"]}
            for m in task.get("volume_mount", [])
        ]
        assert api_task.get("VolumeMounts", []) == mounts
        (config,) = task["config"]
        for key, value in config.items():
            if key == "__is_block__":
                continue
            # HCL: Layer A and the driver's Layer C; JSON: Layer C only.
            expected = _api_config_value(value[0] if key == "logging" else value)  # logging: one block
            assert api_task["Config"][key] == expected, key
        env: dict[str, str] = {}
        for block in _hcl_blocks(task, "env"):
            env.update({k: undo_template_escape(v) for k, v in block.items() if k != "__is_block__"})
        assert api_task.get("Env", {}) == env
        hcl_templates = [undo_template_escape(t["data"]) for t in task.get("template", [])]
        assert [t["EmbeddedTmpl"] for t in api_task.get("Templates", [])] == hcl_templates


def _api_config_value(value: Any) -> Any:
    """A docker config value read from HCL in the API's form: map attributes of the driver's
    ``list(map(string))`` options as a list of one map, a single block as an object."""
    if isinstance(value, str):
        return undo_template_escape(value)
    if isinstance(value, dict):
        fields = {
            undo_template_escape(k): _api_config_value(v) for k, v in value.items() if k != "__is_block__"
        }
        if "__is_block__" in value:
            return {k: [v] if isinstance(v, dict) else v for k, v in fields.items()}
        return [fields]
    if isinstance(value, list):
        return [_api_config_value(v) for v in value]
    return value


def _hcl_check(check: dict[str, Any]) -> dict[str, Any]:
    """A check block in the API's terms: durations in nanoseconds, blocks as maps."""
    blocks = _hcl_blocks(check, "header")
    headers = {k: v for block in blocks for k, v in block.items() if k != "__is_block__"}
    restart = next(iter(_hcl_blocks(check, "check_restart")), None)
    return {
        "Name": check["name"],
        "Type": check["type"],
        "PortLabel": check.get("port", ""),
        "Path": check.get("path"),
        "Method": check.get("method"),
        "Protocol": check.get("protocol"),
        "Command": check.get("command"),
        "Args": check.get("args"),
        "TaskName": check.get("task"),
        "Header": headers,
        "Interval": duration_ns(check["interval"]),
        "Timeout": duration_ns(check["timeout"]),
        "CheckRestart": None
        if restart is None
        else (restart["limit"], duration_ns(restart["grace"]) if "grace" in restart else None),
    }


def _api_check(check: dict[str, Any]) -> dict[str, Any]:
    restart = check.get("CheckRestart")
    return {
        "Name": check["Name"],
        "Type": check["Type"],
        "PortLabel": check["PortLabel"],
        "Path": check.get("Path"),
        "Method": check.get("Method"),
        "Protocol": check.get("Protocol"),
        "Command": check.get("Command"),
        "Args": check.get("Args"),
        "TaskName": check.get("TaskName"),
        "Header": check.get("Header", {}),
        "Interval": check["Interval"],
        "Timeout": check["Timeout"],
        "CheckRestart": None if restart is None else (restart["Limit"], restart.get("Grace")),
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_json_and_hcl_describe_the_same_job(case: Path) -> None:
    options = Options(
        **json.loads((case / "options.json").read_text()) if (case / "options.json").exists() else {}
    )
    result = translate([str(case / "compose.yaml")], options, environ={"HOME": "/home/user"})
    for job in result.jobs:
        hcl = parse_hcl(result.hcl[job.name])
        api = json.loads(result.documents("json")[f"{job.name}.nomad.json"])["Job"]
        assert api["ID"] == job.name
        assert api["Type"] == job_body(hcl)["type"]
        api_groups = {g["Name"]: g for g in api["TaskGroups"]}
        hcl_groups = groups(hcl)
        assert list(api_groups) == list(hcl_groups)
        for name, group in hcl_groups.items():
            _compare_group(name, group, api_groups[name])


def test_restart_durations_are_nanoseconds() -> None:
    result = translate([str(FIXTURES / "compose" / "restart-policies" / "compose.yaml")], environ={})
    api = json.loads(result.documents("json")["restart-policies.nomad.json"])["Job"]
    policy = api["TaskGroups"][0]["RestartPolicy"]
    assert policy == {"Attempts": 3, "Mode": "delay", "Interval": 60_000_000_000, "Delay": 15_000_000_000}


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [("15s", 15 * 10**9), ("1m30s", 90 * 10**9), ("24h", 86400 * 10**9), ("250ms", 25 * 10**7)],
)
def test_duration_parsing(text: str, nanoseconds: int) -> None:
    assert duration_ns(text) == nanoseconds


def test_bad_duration_is_refused() -> None:
    with pytest.raises(ValueError):
        duration_ns("soon")
