"""Discovery fixtures in all three modes: snapshots of jobspec and findings, plus the two checks
the rewrite promises: every template is well-formed, and rendering it for a one-instance cluster
gives back the source value with only host and port changed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.discovery_checks import env_lines, normalise, substitute, substitute_runtime, well_formed
from tests.helpers import FIXTURES, groups, parse_hcl, tasks, undo_template_escape
from translator.api import Result, translate
from translator.options import DISCOVERY_MODES, Options

CASES = sorted(p.parent for p in (FIXTURES / "discovery").glob("*/compose.yaml"))
ENVIRON = {"HOME": "/home/user"}


def run(case: Path, mode: str) -> Result:
    return translate([str(case / "compose.yaml")], Options(discovery=mode), environ=ENVIRON)


def shown(result: Result) -> tuple[str, list[str]]:
    prefix = str(FIXTURES) + "/"
    relative = os.path.relpath(FIXTURES) + "/"
    text = "\n".join(result.hcl.values()).replace(prefix, "").replace(relative, "")
    return text, [f.line().replace(prefix, "") for f in result.findings]


@pytest.mark.parametrize("mode", DISCOVERY_MODES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_discovery_snapshot(case: Path, mode: str, snapshot: Any) -> None:
    text, findings = shown(run(case, mode))
    parse_hcl(text)  # every jobspec parses
    assert text == snapshot(name="jobspec")
    assert findings == snapshot(name="findings")


def source_values(result: Result) -> dict[tuple[str, str], str]:
    """(task, key) → the value in the source, for every env var of every container."""
    values: dict[tuple[str, str], str] = {}
    for workload in result.project.workloads:
        for container in workload.containers:
            for var in container.environment:
                values[(container.name, var.name)] = var.value
    return values


def host_names(result: Result) -> list[str]:
    return [h for w in result.project.workloads for e in w.endpoints for h in e.hostnames or [e.name]]


def rendered_env(result: Result, mode: str) -> dict[tuple[str, str], str]:
    """(task, key) → the value the container sees on a one-instance cluster, from the jobspec."""
    values: dict[tuple[str, str], str] = {}
    parsed = parse_hcl("\n".join(result.hcl.values()))
    for group in groups(parsed).values():
        for name, task in tasks(group).items():
            for block in (
                task.get("env", []) if isinstance(task.get("env"), list) else [task.get("env") or {}]
            ):
                for key, value in block.items():
                    if isinstance(value, str):  # python-hcl2 marks blocks with a boolean key
                        values[(name, key)] = substitute_runtime(undo_template_escape(value))
            for template in task.get("template", []):
                if template.get("env") is False:
                    continue  # not environment: a wait task's readiness file (mapper/startup.py)
                for key, quoted in env_lines(undo_template_escape(template["data"])).items():
                    well_formed(quoted)
                    values[(name, key)] = substitute(quoted)
    return values


@pytest.mark.parametrize("mode", DISCOVERY_MODES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_only_host_and_port_change(case: Path, mode: str) -> None:
    result = run(case, mode)
    rendered = rendered_env(result, mode)
    hosts = host_names(result)
    for (task, key), original in source_values(result).items():
        assert (task, key) in rendered, f"{task}.{key} disappeared"
        assert normalise(rendered[(task, key)], hosts) == normalise(original, hosts), (task, key)


def test_template_data_is_well_formed_with_hostile_literals() -> None:
    result = run(FIXTURES / "discovery" / "url-shapes", "nomad")
    parsed = parse_hcl(result.hcl["url-shapes"])
    template = tasks(groups(parsed)["app"])["app"]["template"]
    data = "".join(undo_template_escape(t["data"]) for t in template)
    lines = {k: substitute(v) for k, v in env_lines(data).items()}
    well_formed(data)
    assert lines["DATABASE_URL"] == "postgres://user:p%40ss{w@10.0.0.1:23456/app?sslmode=disable"
    assert lines["API_URL"] == "http://10.0.0.1:23456/"
    assert lines["TEMPLATE_LIKE"] == "{{db}} http://10.0.0.1:23456/{{x}} ${HOME} {"
