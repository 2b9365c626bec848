"""Every env value and argument reads back from the jobspec exactly as it was written in the source."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    FIXTURES,
    decode_hcl_string,
    evaluate_template,
    groups,
    parse_hcl,
    runtime_interpolate,
    tasks,
    undo_template_escape,
)
from translator.api import translate, translate_text
from translator.mapper.names import dns_label
from translator.model import Container
from translator.options import Options

CASES = sorted(p.parent for p in (FIXTURES / "compose").glob("*/compose.yaml"))


def _containers(result: Any) -> dict[str, Container]:
    return {c.name: c for w in result.project.workloads for c in w.containers}


def _decode_template_env(data: str) -> dict[str, str]:
    """Read back ``KEY="json"`` lines of an env template (no discovery actions in these fixtures)."""
    import json

    values = {}
    for line in data.splitlines():
        key, _, quoted = line.partition("=")
        values[key] = json.loads(quoted.replace('{{ "{{" }}', "{{"))
    return values


def _render_literal_template(data: str) -> str:
    """consul-template's rendering of text whose only actions are string literals."""
    import json

    assert "{{" not in re.sub(r'\{\{ "(?:[^"\\]|\\.)*" \}\}', "", data), data
    return re.sub(r'\{\{ "((?:[^"\\]|\\.)*)" \}\}', lambda m: str(json.loads(f'"{m[1]}"')), data)


def check_exact(result: Any) -> int:
    """Compare every env value and argument in the jobspec with the model's source values."""
    checked = 0
    # Groups are made in workload order (one job for Compose, one job per workload for
    # Kubernetes); names are matched only inside their own group, since sanitised names can collide.
    parsed_groups = [g for text in result.hcl.values() for g in groups(parse_hcl(text)).values()]
    assert len(parsed_groups) == len(result.project.workloads)
    for group, workload in zip(parsed_groups, result.project.workloads, strict=True):
        for task_name, task in tasks(group).items():
            source = next((c for c in workload.containers if dns_label(c.name) == task_name), None)
            if source is None:
                continue  # a task the translator adds (a start-up wait task): no source values
            config = task["config"][0]
            if source.command is not None:
                assert [
                    undo_template_escape(undo_template_escape(a)) for a in config["args"]
                ] == source.command
                checked += len(source.command)
            if source.entrypoint is not None:
                got = [undo_template_escape(undo_template_escape(a)) for a in config["entrypoint"]]
                assert got == source.entrypoint
            assert undo_template_escape(undo_template_escape(config["image"])) == source.image
            env: dict[str, str] = {}
            blocks = task.get("env", [])
            for block in [blocks] if isinstance(blocks, dict) else blocks:  # attribute or block form
                env.update({k: undo_template_escape(v) for k, v in block.items() if k != "__is_block__"})
            carried = [v.content for v in source.volumes if v.content is not None]
            rendered = []
            for template in task.get("template", []):
                if template.get("env") is False:  # a file carried from a bind mount
                    rendered.append(_render_literal_template(undo_template_escape(template["data"])))
                else:
                    env.update(_decode_template_env(undo_template_escape(template["data"])))
            assert rendered == carried
            checked += len(carried)
            expected = {var.name: var.value for var in source.environment}
            assert env == expected
            checked += len(expected)
    return checked


def test_escaping_fixture_reads_back_exactly() -> None:
    result = translate([str(FIXTURES / "compose" / "env-escaping" / "compose.yaml")], environ={})
    assert check_exact(result) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_values_read_back(case: Path) -> None:
    check_exact(translate([str(case / "compose.yaml")], environ={"HOME": "/home/user"}))


HOSTILE = [
    'say "hi"',
    "back\\slash\\",
    "line\nbreak\r\n",
    "${HOME}",
    "$${HOME}",
    "$$${HOME}",
    "%{if x}y%{endif}",
    "%%{x}",
    "{{ .Address }}",
    "}} {{",
    "EOT\nEOT",
    "tab\there",
    "\u0001\u007f",
    "grüße 世界 🚀",
    "${NOMAD_PORT_http}",
    "$",
    "trailing $",
    "\\u0041",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_survive(value: str) -> None:
    # Written in YAML as a double-quoted JSON string, which YAML accepts; `$` doubled for Compose.
    import json

    quoted = json.dumps(value.replace("$", "$$"), ensure_ascii=False).replace("\x7f", "\\x7f")
    text = (
        "services:\n  app:\n    image: busybox\n"
        f"    environment:\n      V: {quoted}\n    command: [{quoted}]\n"
    )
    result = translate_text(text, environ={})
    (container,) = _containers(result).values()
    assert container.environment[0].value == value
    assert container.command == [value]
    assert check_exact(result) == 2


def test_services_whose_names_collide_once_sanitised_keep_their_own_values() -> None:
    text = (
        "services:\n  svcx_:\n    image: one\n    entrypoint: []\n"
        "  svcx:\n    image: two\n    entrypoint: ['']\n    command: [a]\n"
    )
    result = translate_text(text, environ={})
    assert check_exact(result) == 1


@pytest.mark.parametrize("literal", ["$", "$$", "$$$"])
@pytest.mark.parametrize("discovery", ["nomad", "connect"])
def test_literal_dollars_before_a_rewritten_address_survive_every_layer(literal: str, discovery: str) -> None:
    """``$`` then a reference must not become ``$${``, HCL's escape of a literal ``${``."""
    written = literal.replace("$", "$$")  # as a Compose file writes a literal $
    document = (
        "services:\n  web:\n    image: app\n"
        f'    command: ["--url={written}db:5432"]\n'
        f'    environment:\n      URL: "{written}db:5432"\n'
        '  db:\n    image: postgres\n    expose: ["5432"]\n'
    )
    result = translate_text(document, options=Options(discovery=discovery), environ={})
    (text,) = result.hcl.values()
    runtime = {name: "<address>" for name in re.findall(r"\$\{([A-Za-z0-9_]+)\}", text)}
    assert runtime, "the address is a runtime reference"
    # The strings as written (python-hcl2 leaves escapes after a $${ undecoded).
    (argument,) = re.findall(r'^ +args += \[(".*")\]$', text, re.MULTILINE)
    # Layer A (the jobspec's HCL), then the driver's own pass over its config (Layer C).
    assert evaluate_template(decode_hcl_string(argument), runtime) == f"--url={literal}<address>"
    if discovery == "connect":  # env: Layer A, then the client's runtime interpolation (Layer B)
        (value,) = re.findall(r'^ +URL += (".*")$', text, re.MULTILINE)
        assert runtime_interpolate(decode_hcl_string(value), runtime) == f"{literal}<address>"
