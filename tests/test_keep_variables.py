"""``--keep-variables``: Compose ``${VAR}`` kept as Nomad job variables, and where they cannot be."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.helpers import (
    FIXTURES,
    compose_corpus_cases,
    consistent,
    evaluate_template,
    groups,
    parse_hcl,
    tasks,
    undo_template_escape,
)
from tests.helpers import groups as group_bodies
from tests.test_properties import to_yaml
from translator.api import Result, translate, translate_text
from translator.cli import EXIT_USAGE, app
from translator.report.build import build_report
from translator.report.render import render_json, render_markdown
from translator.source import InputError
from translator.variables import OPEN, as_hcl_reference, marker, names_in, needs_showing, shown

CASES = FIXTURES / "keep-variables"
# Kept variables must not take values from the translating machine; resolved fields still do.
ENVIRON = {"HOME": "/home/user", "WEB_TAG": "from-the-shell", "WEB_PORT": "9090"}
FILES = {
    "fields": ["compose.yaml"],
    "discovery": ["compose.yaml"],
    "several-files": ["compose.yaml", "compose.override.yaml"],
}


def run(case: str, *, keep: bool = True, profiles: tuple[str, ...] = ()) -> Result:
    return translate(
        [str(CASES / case / name) for name in FILES[case]],
        environ=ENVIRON,
        keep_variables=keep,
        profiles=profiles,
    )


def jobspec(result: Result) -> str:
    (text,) = result.hcl.values()
    return text


def variables(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: body for block in parsed.get("variable", []) for name, body in block.items()}


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """A nested block (config, env) of a parsed task, without python-hcl2's bookkeeping key."""
    (found,) = body[name]
    return {k: v for k, v in found.items() if k != "__is_block__"}


def codes_at(result: Result, code: str) -> list[tuple[int | None, str]]:
    return [(f.position.line, f.message) for f in result.findings if f.code == code]


@pytest.mark.parametrize("case", sorted(FILES))
def test_fixture_jobspec(case: str, snapshot: Any) -> None:
    result = run(case)
    text = jobspec(result)
    parse_hcl(text)
    prefix = str(CASES) + "/"
    relative = os.path.relpath(CASES) + "/"
    assert text.replace(relative, "") == snapshot(name="jobspec")
    assert [f.line().replace(prefix, "") for f in result.findings] == snapshot(name="findings")


def test_free_text_fields_refer_to_variables() -> None:
    parsed = parse_hcl(jobspec(run("fields")))
    web = tasks(group_bodies(parsed)["web"])["web"]
    assert block(web, "config")["image"] == "${var.REGISTRY}/web:${var.WEB_TAG}"
    assert block(web, "config")["args"] == ["serve", "--workers", "${var.WORKERS}", "--motd", "${var.MOTD}"]
    assert block(web, "config")["entrypoint"] == ["/docker-entrypoint.sh", "--log-level", "${var.LOG_LEVEL}"]
    assert block(web, "config")["work_dir"] == "${var.APP_DIR}"
    assert web["user"] == "${var.APP_UID}:${var.APP_GID}"
    assert block(web, "env")["ANALYTICS"] == "${var.ANALYTICS_ID}"
    worker = tasks(group_bodies(parsed)["worker"])["worker"]
    assert block(worker, "env")["QUEUE"] == "${var.QUEUE_NAME}"


def test_defaults_come_from_env_files_then_the_written_default() -> None:
    declared = variables(parse_hcl(jobspec(run("fields"))))
    assert declared["LOG_LEVEL"]["default"] == "debug"  # .env wins over ${LOG_LEVEL:-info}
    assert declared["QUEUE_NAME"]["default"] == ""  # .env sets it empty; ${QUEUE_NAME-jobs} keeps ""
    assert declared["WORKERS"]["default"] == "4"
    assert declared["ANALYTICS_ID"]["default"] == ""  # unset, no default: Compose's empty string
    # The shell's WEB_TAG is not written into the jobspec: the first written default is.
    assert declared["WEB_TAG"]["default"] == "1.4.2"
    assert all(body["type"] == "string" for body in declared.values())


def test_required_variable_has_no_default_and_does_not_stop_translation() -> None:
    with pytest.raises(InputError, match="required variable SITE_NAME is missing a value: name the site"):
        run("fields", keep=False)
    result = run("fields")
    declared = variables(parse_hcl(jobspec(result)))
    assert "default" not in declared["SITE_NAME"]
    assert declared["SITE_NAME"]["description"] == "name the site"
    assert codes_at(result, "L021") == [
        (10, "var.SITE_NAME has no default: Compose requires it (name the site)")
    ]


def test_fields_the_translator_reads_are_resolved_with_a_finding() -> None:
    result = run("fields")
    resolved = {message.split(" in ")[1].split(" was ")[0] for _, message in codes_at(result, "L023")}
    assert resolved == {
        "services.web.ports[0]",
        "services.web.healthcheck.interval",
        "services.web.deploy.replicas",
        "services.web.environment.FEATURE",  # ${VAR:+alt} has no Nomad form
        "services.worker.entrypoint",  # its default has spaces, outside quotes: several words
        "services.worker.environment[1]",  # the variable is in the key
        "services.web.environment.LISTEN_PORT",  # WEB_PORT is resolved in the ports
    }
    parsed = parse_hcl(jobspec(result))
    assert group_bodies(parsed)["web"]["count"] == 2
    worker = tasks(group_bodies(parsed)["worker"])["worker"]
    assert block(worker, "config")["entrypoint"] == ["run", "a", "b"]
    assert block(worker, "config")["args"] == [
        "sh",
        "-c",
        "echo ${var.GREETING}",
    ]  # quoted: one word either way
    assert block(worker, "env")["KEY"] == "value"
    # Resolved fields take the shell's values, as without the option.
    assert any("host port 9090" in message for _, message in codes_at(result, "P001"))


def test_a_variable_resolved_at_one_use_is_resolved_at_all() -> None:
    result = run("fields")
    web = tasks(group_bodies(parse_hcl(jobspec(result)))["web"])["web"]
    assert block(web, "env")["LISTEN_PORT"] == "9090"  # the same value as the port mapping's
    assert (
        14,
        "${WEB_PORT} in services.web.environment.LISTEN_PORT was resolved at translation time: it is "
        "also used in services.web.ports[0], where it cannot stay a variable",
    ) in codes_at(result, "L023")


def test_differing_defaults_are_reported() -> None:
    assert codes_at(run("fields"), "L022") == [
        (23, "WEB_TAG: Compose gives 'latest' here; the Nomad variable's default is '1.4.2'")
    ]


def test_defaults_and_literal_text_are_escaped_for_hcl() -> None:
    text = jobspec(run("fields"))
    assert 'default = "$${x}y"' in text  # the default's text is ${x}y: not an HCL interpolation
    assert "%%{directive} $${LITERAL} ${var.TEMPLATE_SUFFIX}" in text


def test_without_the_option_nothing_is_kept() -> None:
    result = translate([str(CASES / "fields" / "compose.yaml")], environ={**ENVIRON, "SITE_NAME": "shop"})
    text = jobspec(result)
    assert "variable " not in text and "var." not in text
    web = tasks(group_bodies(parse_hcl(text))["web"])["web"]
    assert block(web, "config")["image"] == "registry.example.com/web:from-the-shell"


def test_variables_that_name_a_service_are_resolved_for_discovery() -> None:
    result = run("discovery")
    parsed = parse_hcl(jobspec(result))
    assert sorted(variables(parsed)) == ["API_TAG", "DB_PASSWORD", "METRICS_HOST", "PARTNER_HOST", "PG_MAJOR"]
    api = tasks(group_bodies(parsed)["api"])["api"]
    (template,) = api["template"]
    data = template["data"]
    assert "postgres://app:${var.DB_PASSWORD}@{{ with nomadService" in data.replace('\\"', '"')
    assert "redis://{{ with nomadService" in data.replace('\\"', '"')
    assert block(api, "env") == {"UPSTREAM": "http://${var.PARTNER_HOST}/v1"}
    assert [line for line, _ in codes_at(result, "L024")] == [7, 8, 10, 12]
    # DB_HOST names a service in the environment, so its other use is resolved too: one value.
    assert block(api, "config")["args"][-1] == "primary: db"
    assert codes_at(result, "L024")[-1][1] == (
        "${DB_HOST} in command argument 4 of 'api' was resolved to 'db': its value names another service "
        "in the environment variable DB_HOST of 'api'"
    )


def test_only_variables_left_in_the_project_are_declared() -> None:
    declared = variables(parse_hcl(jobspec(run("several-files"))))
    assert {name: body["default"] for name, body in declared.items()} == {
        "LIB_TAG": "3.1",  # from the included project's own .env
        "LOG_FORMAT": "json",  # from the extended service in another file
        "WEB_TAG": "1",
    }  # OLD_FLAG: replaced by the override file; DEBUG_TAG: its profile is off
    with_profile = variables(parse_hcl(jobspec(run("several-files", profiles=("debug",)))))
    assert "DEBUG_TAG" in with_profile


def test_json_output_is_refused() -> None:
    with pytest.raises(ValueError, match="no API JSON form"):
        run("discovery").documents("json")
    result = CliRunner().invoke(
        app, ["--keep-variables", "--format", "json", str(CASES / "discovery" / "compose.yaml")]
    )
    assert result.exit_code == EXIT_USAGE
    assert "--keep-variables needs --format hcl" in result.stderr


def test_cli_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--keep-variables", str(CASES / "discovery" / "compose.yaml")])
    assert result.exit_code == 0
    assert 'image = "example/api:${var.API_TAG}"' in result.stdout
    assert "warning L021: var.DB_PASSWORD has no default" in result.stderr


def test_reports_show_variables_as_written() -> None:
    result = run("discovery")
    # Neither the marker characters nor their escaped spelling (repr in messages) may show.
    assert not any(needs_showing(f.message) or needs_showing(f.hint) for f in result.findings)
    assert any("postgres://app:${DB_PASSWORD}@db:5432/app" in f.message for f in result.findings)
    report = build_report(result)
    for text in (render_markdown(report), render_json(report)):
        assert OPEN not in text and "ufdd0" not in text.lower()
    document = json.loads(render_json(report))
    images = [t["image"] for w in document["workloads"] for t in w["tasks"]]
    assert "example/api:${API_TAG}" in images
    (needed,) = [p for p in document["prerequisites"] if p["codes"] == ["L021"]]
    assert needed["need"] == "Values for the job variables that have no default"


def test_a_variable_named_like_a_service_stays_a_variable() -> None:
    text = (
        "services:\n  web:\n    image: nginx\n    environment:\n      LABEL: ${DB:-x}\n"
        "  db:\n    image: postgres\n"
    )
    result = translate_text(text, keep_variables=True, environ={})
    web = tasks(group_bodies(parse_hcl(jobspec(result)))["web"])["web"]
    assert block(web, "env") == {"LABEL": "${var.DB}"}


def test_marker_character_in_input_is_refused() -> None:
    text = 'services:\n  web:\n    image: "nginx:\\ufdd0"\n'
    with pytest.raises(InputError) as caught:
        translate_text(text, keep_variables=True, environ={})
    assert str(caught.value).startswith("compose.yaml:3:12: U+FDD0 cannot be used with --keep-variables")
    translate_text(text, environ={})  # without the option it is an ordinary character


@pytest.mark.parametrize("name", ["A", "_private", "DB_HOST_2"])
def test_markers_round_trip(name: str) -> None:
    text = f"x{marker(name)}y{marker('B')}"
    assert names_in(text) == [name, "B"]
    assert shown(text) == f"x${{{name}}}y${{B}}"
    assert shown(repr(text)) == repr(f"x${{{name}}}y${{B}}")
    assert as_hcl_reference(text) == f"x${{var.{name}}}y${{var.B}}"
    assert not any(c.isalnum() or c.isspace() or c in "\"'\\=:/@._-" for c in marker(name))


# --- exact values through HCL, for any text around a kept variable --------------------------

_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="{}\ufdd0"), max_size=20)
_DEFAULTS = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="{}\n\r\x85\u2028\u2029\ufdd0"), max_size=20
)


@given(prefix=_TEXT, default=_DEFAULTS, suffix=_TEXT)
@example(prefix="cost: $$", default="", suffix="$")  # "$" just before the reference: not "$${"
@example(prefix='"\\', default="a $b %c", suffix="\n%")
def test_text_around_kept_variables_reads_back_exactly(prefix: str, default: str, suffix: str) -> None:
    def written(text: str) -> str:
        return text.replace("$", "$$")

    value = f"{written(prefix)}${{V:-{written(default)}}}{written(suffix)}"
    document = {"services": {"web": {"image": value, "environment": {"VALUE": value}, "command": [value]}}}
    result = translate_text(to_yaml(document), keep_variables=True, environ={})
    parsed = parse_hcl(jobspec(result))
    (default_read,) = [body["default"] for body in variables(parsed).values()]
    assert evaluate_template(default_read, {}) == default
    # With the variable at a value of its own, every field holds the text around it exactly.
    values = {"V": "<value>"}
    expected = f"{prefix}<value>{suffix}"
    web = tasks(group_bodies(parsed)["web"])["web"]
    assert evaluate_template(block(web, "env")["VALUE"], values) == expected
    # Driver config strings pass a second template pass on the client (Layer C).
    config = block(web, "config")
    assert undo_template_escape(evaluate_template(config["image"], values)) == expected
    assert [undo_template_escape(evaluate_template(a, values)) for a in config["args"]] == [expected]


@pytest.mark.parametrize(("name", "path"), compose_corpus_cases(), ids=[n for n, _ in compose_corpus_cases()])
def test_corpus_cases_translate_with_variables_kept(name: str, path: Path) -> None:
    result = translate([str(path)], environ={}, keep_variables=True, consistency=consistent(path))
    resolved = translate([str(path)], environ={}, consistency=consistent(path))
    for text in result.hcl.values():
        declared = variables(parse_hcl(text))
        # Every reference is declared, and every declared variable is referenced.
        assert set(re.findall(r"\$\{var\.(\w+)\}", text)) == set(declared), name
    # The same groups and tasks as without the option: only values change.
    assert [sorted(groups(parse_hcl(t))) for t in result.hcl.values()] == [
        sorted(groups(parse_hcl(t))) for t in resolved.hcl.values()
    ]
    assert not any(needs_showing(f.message) for f in result.findings)


def test_standard_input_is_read_once_when_the_project_loads_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable resolved in the ports makes the loader load again (with it resolved everywhere)."""
    import io
    import sys

    from translator.compose.loader import LoadOptions, load_project

    text = (
        'services:\n  web:\n    image: nginx\n    ports: ["${P:-80}:80"]\n'
        "    environment:\n      P: ${P:-80}\n"
    )
    stdin = io.TextIOWrapper(io.BytesIO(text.encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    project = load_project(LoadOptions(files=["-"], environ={}, keep_variables=True))
    assert project.services["web"]["environment"]["P"] == "80"
    assert project.variables == []
