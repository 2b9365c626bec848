"""The report renders the mapper's wiring records (``Group.wiring``): the references table, the names
served, the diagram's edges, the JSON, and readiness (a dependency nothing wires keeps a workload
from being ready)."""

from __future__ import annotations

import json
from typing import Any

from translator.api import Result, translate_text
from translator.nomad import Group, Wire
from translator.options import Options
from translator.report.build import build_report
from translator.report.render import render_json, render_markdown
from translator.report.terminal import result_summary, summary

DEPENDS = "services:\n  app:\n    image: example/app\n    depends_on: [db]\n  db:\n    image: example/db\n"
DB_PORT = "    expose: ['5432']\n"


def _group(result: Result, name: str) -> Group:
    return next(g for job in result.jobs for g in job.groups if g.name == name)


def _workload(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(w for w in document["workloads"] if w["name"] == name)
    return found


def test_an_argument_rewrite_is_in_the_references_table() -> None:
    text = "services:\n  app:\n    image: example/app\n    command: ['--db', 'db:5432']\n  db:\n"
    result = translate_text(text + "    image: postgres:16\n" + DB_PORT, environ={})
    report = build_report(result)
    app = next(w for w in report.workloads if w.name == "app")
    (row,) = app.references
    assert (row.task, row.variable, row.before, row.target, row.service, row.mode) == (
        "app",
        "args[1]",
        "db:5432",
        "db",
        "db",
        "nomad",
    )
    assert row.after == "${DISCOVERED_DB_ADDRESS_5432}"  # what the argument reads now
    markdown = render_markdown(report)
    assert (
        "| `app` | `args[1]` | `db:5432` | `${DISCOVERED_DB_ADDRESS_5432}` | `db` | `db` | nomad |"
        in markdown
    )
    assert '-->|"5432 · nomad"|' in markdown  # an edge for it in the diagram
    (edge,) = [e for e in json.loads(render_json(report))["edges"] if e["kind"] == "rewritten"]
    assert edge == {"source": "app", "target": "db", "port": "5432", "mode": "nomad", "kind": "rewritten"}


def _served_by_hand() -> Result:
    """app depends on db; nothing serves or rewrites it, then one name record is added by hand."""
    result = translate_text(DEPENDS + DB_PORT, options=Options(serve_names="off"), environ={})
    app = _group(result, "app")
    assert app.wiring == []
    position = result.project.workloads[0].depends_on[0].position
    app.wiring.append(
        Wire(
            "name",
            "app",
            "db",
            "nomad",
            position,
            service="db",
            port=5432,
            name="db",
            address="127.0.1.1",
            reason="it depends on 'db'",
        )
    )
    return result


def test_a_served_name_shows_in_the_table_the_diagram_and_the_json() -> None:
    report = build_report(_served_by_hand(), {"D005"})
    app = next(w for w in report.workloads if w.name == "app")
    (row,) = app.names
    assert (row.name, row.address, row.target, row.service, row.port, row.protocol) == (
        "db",
        "127.0.1.1",
        "db",
        "db",
        5432,
        "tcp",
    )
    assert (row.mode, row.forwarder) == ("nomad", "nginx")
    assert app.references == [] and app.status == "ready"  # the record wires the dependency
    markdown = render_markdown(report)
    assert "**Names served**" in markdown
    assert "| `db` | `127.0.1.1` | `db` | 5432/tcp | nginx to `db` (nomad) | it depends on 'db' |" in markdown
    # Its own kind of edge: dashed and labelled as a name, not a dotted start-up dependency.
    assert 'w1 -.->|"name :5432 · nginx"| w2' in report.mermaid
    assert "depends_on" not in report.mermaid
    document = json.loads(render_json(report))
    assert _workload(document, "app")["names"] == [
        {
            "name": "db",
            "address": "127.0.1.1",
            "target": "db",
            "service": "db",
            "port": 5432,
            "protocol": "tcp",
            "mode": "nomad",
            "forwarder": "nginx",
            "why": "it depends on 'db'",
        }
    ]
    assert {"source": "app", "target": "db", "port": "5432", "mode": "nomad", "kind": "name"} in document[
        "edges"
    ]


def test_names_the_mapper_serves_are_in_the_report() -> None:
    """The same, end to end: the dependency is served by name (--serve-names auto)."""
    result = translate_text(DEPENDS + DB_PORT, environ={})
    report = build_report(result)
    app = next(w for w in report.workloads if w.name == "app")
    assert [(n.name, n.target, n.port) for n in app.names] == [("db", "db", 5432)]
    assert any(e.kind == "name" and (e.source, e.target) == ("app", "db") for e in report.edges)
    assert app.status == "ready" and app.unwired == []


def test_an_unwired_dependency_makes_the_workload_not_ready() -> None:
    # D005 (the dependency is named nowhere) is ignored: no finding is left to say it.
    result = translate_text(DEPENDS + DB_PORT, options=Options(serve_names="off"), environ={})
    report = build_report(result, {"D005"})
    app = next(w for w in report.workloads if w.name == "app")
    assert app.counts == {"error": 0, "warning": 0, "info": 1}
    assert (app.status, app.unwired) == ("action", ["db"])
    assert "Not ready: reaches `db` by a name nothing resolves" in render_markdown(report)
    assert _workload(json.loads(render_json(report)), "app")["unwired"] == ["db"]
    assert (report.summary.ready, report.summary.approximated, report.summary.action) == (0, 1, 1)
    # The summary the CLI prints without a report says the same.
    light = build_report(result, {"D005"}, details=False)
    assert light.summary == report.summary
    assert result_summary(result, {"D005"}, "out/") == summary(light, "out/")
    assert "0 ready, 1 approximated" in result_summary(result, {"D005"}, "out/")


def test_a_wired_dependency_keeps_the_workload_ready() -> None:
    for result in (
        _served_by_hand(),  # a served name
        translate_text(DEPENDS.replace("[db]\n", "[db]\n    environment: {DB: 'db:5432'}\n") + DB_PORT),
    ):
        report = build_report(result, {"D005", "P003"})
        statuses = {w.name: (w.status, w.unwired) for w in report.workloads}
        assert statuses == {"app": ("ready", []), "db": ("ready", [])}
        assert (report.summary.ready, report.summary.approximated) == (2, 0)
        assert result_summary(result, {"D005", "P003"}, "out/") == summary(report, "out/")


def test_a_dependency_in_the_same_group_needs_no_wire() -> None:
    text = (
        "services:\n  app:\n    image: example/app\n    ports: ['8080']\n"
        "  proxy:\n    image: example/proxy\n    network_mode: service:app\n    depends_on: [app]\n"
    )
    report = build_report(translate_text(text, options=Options(serve_names="off"), environ={}), {"P001"})
    assert [(w.name, w.unwired) for w in report.workloads] == [("app", [])]


def test_a_dependency_that_must_complete_is_an_order_not_a_connection() -> None:
    text = (
        "services:\n  app:\n    image: example/app\n"
        "    depends_on: {migrate: {condition: service_completed_successfully}}\n"
        "  migrate:\n    image: example/migrate\n"
    )
    # C014 (Nomad cannot order groups) is ignored: the wiring alone decides here.
    report = build_report(translate_text(text, environ={}), {"C014"})
    app = next(w for w in report.workloads if w.name == "app")
    assert (app.status, app.unwired, app.names) == ("ready", [], [])


def test_names_forwarded_by_nginx_need_its_image() -> None:
    needs = {p.need: p.workloads for p in build_report(_served_by_hand()).prerequisites}
    assert needs["Clients that can pull the nginx image"] == ["app"]
    unserved = build_report(translate_text(DEPENDS + DB_PORT, options=Options(serve_names="off"), environ={}))
    assert all("nginx" not in p.need for p in unserved.prerequisites)


def test_names_served_only_because_they_are_in_reach_are_listed_not_drawn() -> None:
    result = _served_by_hand()
    _group(result, "app").wiring[0].seen = False  # as for every Service of a Kubernetes namespace
    report = build_report(result, {"D005"})
    app = next(w for w in report.workloads if w.name == "app")
    assert [n.name for n in app.names] == ["db"]
    assert not any(e.kind == "name" for e in report.edges)
