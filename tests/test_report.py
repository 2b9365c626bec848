"""The migration report: Markdown and JSON snapshots, the JSON Schema, well-formed Mermaid, masked
secrets, readiness, the generated code list, and the CLI's --report, --ignore and --strict."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from tests.helpers import CORPUS, FIXTURES, ROOT, compose_corpus_cases, consistent, fixture_options
from translator import __version__
from translator.api import Result, translate, translate_text
from translator.cli import EXIT_OK, EXIT_STRICT, EXIT_USAGE, app
from translator.findings import CODES
from translator.options import Options
from translator.report.build import build_report
from translator.report.docs import findings_markdown
from translator.report.mermaid import flowchart, label
from translator.report.model import Edge, Report
from translator.report.render import render_json, render_markdown
from translator.report.secrets import MASK

ENVIRON = {"HOME": "/home/user"}
COMPOSE_CASES = sorted(p.parent for p in (FIXTURES / "compose").glob("*/compose.yaml"))
KUBERNETES_CASES = sorted(p for p in (FIXTURES / "kubernetes").iterdir() if p.is_dir())
CORPUS_CASES = [file for _, file in compose_corpus_cases()] + sorted(
    p for p in (CORPUS / "kubernetes").iterdir() if p.is_dir()
)
ALL_CASES = [*COMPOSE_CASES, *KUBERNETES_CASES, *CORPUS_CASES]
SNAPSHOT_CASES = [
    FIXTURES / "compose" / "ports-long",
    FIXTURES / "compose" / "network-service",
    FIXTURES / "compose" / "build-only",
    FIXTURES / "kubernetes" / "service-types",
    CORPUS / "compose" / "otel-demo",
    CORPUS / "kubernetes" / "boutique-kubernetes-manifests",
]


def _case_id(case: Path) -> str:
    if case.is_file():
        return f"{case.parent.parent.name}/{case.parent.name}/{case.name}"
    return f"{case.parent.name}/{case.name}"


@cache
def _result(case: Path) -> Result:
    if case.is_file():  # a corpus Compose file
        return translate([str(case)], environ=ENVIRON, consistency=consistent(case))
    if case.parent.name == "kubernetes":
        return translate([str(case)])
    if case == CORPUS / "compose" / "otel-demo":
        return translate([str(case / "compose.yaml")], environ=ENVIRON)
    return translate([str(case / "compose.yaml")], Options(**fixture_options(case)), environ=ENVIRON)


def _stable(text: str) -> str:
    """The tool version is the only part of a report that changes between releases."""
    return text.replace(f"translate {__version__}", "translate VERSION").replace(
        f'"tool_version": "{__version__}"', '"tool_version": "VERSION"'
    )


@cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("case", SNAPSHOT_CASES, ids=_case_id)
def test_report_snapshots(case: Path, snapshot: Any) -> None:
    report = build_report(_result(case))
    assert _stable(render_markdown(report)) == snapshot(name="markdown")
    assert _stable(render_json(report)) == snapshot(name="json")


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_json_report_validates_against_the_schema(case: Path) -> None:
    document = json.loads(render_json(build_report(_result(case))))
    jsonschema.validate(document, _schema(), cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_mermaid_is_well_formed(case: Path) -> None:
    report = build_report(_result(case))
    _assert_mermaid(report.mermaid)
    assert f"```mermaid\n{report.mermaid}```" in render_markdown(report)


def test_reports_are_deterministic() -> None:
    for case in SNAPSHOT_CASES:
        _result.cache_clear()
        first = build_report(_result(case))
        _result.cache_clear()
        second = build_report(_result(case))
        assert render_markdown(first) == render_markdown(second)
        assert render_json(first) == render_json(second)


# ----- Mermaid -----

_NODE = re.compile(r'^  (?P<id>[A-Za-z][A-Za-z0-9_]*)(\["(?P<label>[^"]*)"\]|\(\["(?P<label2>[^"]*)"\]\))$')
_EDGE = re.compile(
    r'^  (?P<a>[A-Za-z][A-Za-z0-9_]*) (-->|-\.->)\|"(?P<label>[^"]*)"\| (?P<b>[A-Za-z][A-Za-z0-9_]*)$'
)
_KEYWORDS = {"end", "graph", "flowchart", "subgraph", "style", "class", "click", "direction"}


def _assert_mermaid(text: str) -> None:
    """A strict reading of the subset we write: declared nodes with safe ids, quoted labels,
    edges between declared nodes, balanced brackets."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: set[str] = set()
    for line in lines[1:]:
        node, edge = _NODE.match(line), _EDGE.match(line)
        assert node or edge, f"not a node or an edge: {line!r}"
        if node:
            assert node["id"] not in nodes and node["id"].lower() not in _KEYWORDS
            nodes.add(node["id"])
        else:
            assert edge is not None
            assert edge["a"] in nodes and edge["b"] in nodes, line
        for opening, closing in ("[]", "()", "{}"):
            assert line.count(opening) == line.count(closing), line
        assert line.count('"') % 2 == 0, line


def test_mermaid_names_with_dots_dashes_keywords_and_quotes() -> None:
    names = ["api.v1", "my-db", "end", 'we"ird|name<b>', "graph"]
    edges = [
        Edge("api.v1", "my-db", "5432", "nomad", "rewritten"),
        Edge("end", "graph", "", "depends_on", "depends_on"),
    ]
    text = flowchart(names, edges)
    _assert_mermaid(text)
    assert '"we#quot;ird#124;name#lt;b#gt;"' in text
    assert label("a\nb") == "a b"


# ----- content -----


def test_published_port_and_rename_are_reported_with_lines() -> None:
    text = "services:\n  Web_App:\n    image: nginx\n    ports: ['8080:80']\n"
    report = build_report(translate_text(text, environ={}, project_name="shop"))
    (workload,) = report.workloads
    (port,) = workload.ports
    assert (port.source, port.label, port.to, port.static, port.mode) == (
        "8080:80",
        "http",
        80,
        None,
        "dynamic",
    )
    assert port.change == "host port 8080 became dynamic"
    assert port.services == ["web-app"]
    p001 = next(f for f in report.findings if f.code == "P001")
    assert (p001.file, p001.line, p001.column, p001.path) == (
        "compose.yaml",
        4,
        13,
        "services.Web_App.ports[0]",
    )
    n001 = [f for f in report.findings if f.code == "N001"]
    assert n001 and all(f.path and f.line for f in n001)
    assert any(e.source == "external" and e.target == "Web_App" for e in report.edges)


def test_readiness_counts_workloads_without_errors() -> None:
    text = (
        "services:\n"
        "  web:\n    image: nginx\n"
        "  db:\n    image: postgres\n    volumes: ['./data:/var/lib/postgresql/data']\n"
        "  cache:\n    image: redis\n    privileged: true\n"
    )
    report = build_report(translate_text(text, environ={}, project_name="p"))
    statuses = {w.name: w.status for w in report.workloads}
    assert statuses == {"cache": "approximated", "db": "action", "web": "ready"}
    assert report.summary.readiness == 67  # 2 of 3 run without a person
    assert (report.summary.ready, report.summary.approximated, report.summary.action) == (1, 1, 1)
    needs = {p.need: p for p in report.prerequisites}
    assert needs["Host volumes on the clients, or CSI volumes"].workloads == ["db"]
    assert "CNI plugins on every client" in needs


def test_ignored_codes_leave_the_report_and_are_counted() -> None:
    text = "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n"
    result = translate_text(text, environ={}, project_name="p")
    report = build_report(result, {"P001"})
    assert all(f.code != "P001" for f in report.findings)
    assert report.summary.ignored == 1 and report.summary.ignored_codes == ["P001"]
    assert "left out with `--ignore`" in render_markdown(report)


# ----- secrets -----

SECRET_COMPOSE = """\
services:
  api:
    image: example/api
    environment:
      DB_PASSWORD: hunter2-very-secret
      API_TOKEN: tok-123456789
      DATABASE_URL: postgres://app:s3cr3t-pw@db:5432/app
      GREETING: hello
    secrets: [db_pass]
    depends_on: [db]
  db:
    image: postgres
    ports: ['5432']
secrets:
  db_pass:
    file: ./db_pass.txt
"""


def _all_report_text(report: Report) -> str:
    return render_markdown(report) + render_json(report)


def test_secret_values_are_masked_in_reports_but_exact_in_the_jobspec(tmp_path: Path) -> None:
    (tmp_path / "db_pass.txt").write_text("file-secret-value\n", encoding="utf-8")
    (tmp_path / "compose.yaml").write_text(SECRET_COMPOSE, encoding="utf-8")
    result = translate([str(tmp_path / "compose.yaml")], environ={})
    jobspec = "\n".join(result.hcl.values())
    assert "hunter2-very-secret" in jobspec and "tok-123456789" in jobspec  # the job must run
    text = _all_report_text(build_report(result))
    for secret in ("hunter2-very-secret", "tok-123456789", "s3cr3t-pw", "file-secret-value"):
        assert secret not in text
    api = next(w for w in build_report(result).workloads if w.name == "api")
    for row in api.references:
        assert "s3cr3t-pw" not in row.before + row.after
        if row.variable == "DATABASE_URL":
            assert MASK in row.before


def test_kubernetes_secret_data_never_reaches_the_report() -> None:
    manifest = """\
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: k8s-plain-secret-value}
data: {token: ZGF0YS1zZWNyZXQtdmFsdWU=}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - name: app
          image: example/app
          env:
            - name: PASSWORD
              valueFrom: {secretKeyRef: {name: creds, key: password}}
"""
    result = translate(["-"], stdin_text=manifest)
    text = _all_report_text(build_report(result))
    assert "k8s-plain-secret-value" not in text
    assert "ZGF0YS1zZWNyZXQtdmFsdWU=" not in text and "data-secret-value" not in text
    assert any(p.need == "Nomad Variables holding the secrets" for p in build_report(result).prerequisites)


# ----- the code list -----


def test_findings_doc_is_generated_from_the_code_table() -> None:
    current = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert current == findings_markdown(), (
        "docs/findings.md is stale: python -m translator.report.docs > docs/findings.md"
    )
    for code in CODES:
        assert f"| `{code}` |" in current


# ----- command line -----

runner = CliRunner()
SIMPLE = "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n    pull_policy: always\n"


def test_strict_exits_3_while_warnings_remain_and_ignore_clears_them() -> None:
    result = runner.invoke(app, ["-", "-p", "p", "--strict"], input=SIMPLE)
    assert result.exit_code == EXIT_STRICT == 3
    assert "translate: findings: 0 errors, 1 warning, 1 info" in result.stderr
    result = runner.invoke(app, ["-", "-p", "p", "--strict", "--ignore", "T005"], input=SIMPLE)
    assert result.exit_code == EXIT_OK, result.stderr
    assert "T005" not in result.stderr and "1 ignored" in result.stderr


def test_unknown_ignore_code_and_report_name_are_usage_errors(tmp_path: Path) -> None:
    assert runner.invoke(app, ["-", "--ignore", "Z999"], input=SIMPLE).exit_code == EXIT_USAGE
    assert (
        runner.invoke(app, ["-", "--report", str(tmp_path / "r.txt")], input=SIMPLE).exit_code == EXIT_USAGE
    )


def test_reports_are_written_and_the_summary_is_plain_when_piped(tmp_path: Path) -> None:
    md, js = tmp_path / "r.md", tmp_path / "r.json"
    result = runner.invoke(app, ["-", "-p", "p", "--report", str(md), "--report", str(js)], input=SIMPLE)
    assert result.exit_code == EXIT_OK, result.stderr
    assert md.read_text(encoding="utf-8").startswith("# Migration report: p\n")
    jsonschema.validate(
        json.loads(js.read_text(encoding="utf-8")), _schema(), cls=jsonschema.Draft202012Validator
    )
    assert "translate: 1 job (p) written to stdout" in result.stderr
    assert "\033[" not in result.stderr
    assert "<stdin>:4: info P001" in result.stderr  # the documented one-line format is kept
