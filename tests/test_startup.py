"""Start-up order: depends_on and links → wait tasks across groups, lifecycle inside one group."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import FIXTURES, compose_corpus_cases, groups, parse_hcl, tasks
from translator.api import Result, translate
from translator.mapper.startup import WAIT_IMAGE
from translator.options import Options

ENVIRON = {"HOME": "/home/user"}


def _run(case: str, **options: Any) -> Result:
    return translate([str(FIXTURES / "compose" / case / "compose.yaml")], Options(**options), environ=ENVIRON)


def _tasks(result: Result, group: str) -> dict[str, dict[str, Any]]:
    parsed = parse_hcl(next(iter(result.hcl.values())))
    return tasks(groups(parsed)[group])


def _codes(result: Result, code: str) -> list[str]:
    return [f.message for f in result.findings if f.code == code]


@pytest.mark.parametrize(("provider", "function"), [("nomad", "nomadService"), ("consul", "service")])
def test_wait_tasks_for_started_healthy_and_links(provider: str, function: str) -> None:
    result = _run("depends-conditions", provider=provider)
    web = _tasks(result, "web")
    # no value names the dependencies: a forwarder serves their names (translator/discovery/names.py)
    assert sorted(web) == [
        "name-forwarder", "wait-for-api", "wait-for-cache", "wait-for-db", "wait-for-search", "web"
    ]  # fmt: skip
    wait = web["wait-for-db"]
    assert wait["lifecycle"] == [{"hook": "prestart", "sidecar": False, "__is_block__": True}]
    assert wait["config"][0]["image"] == WAIT_IMAGE
    (template,) = wait["template"]
    assert f'range {function} \\"db\\"' in template["data"] or f'range {function} "db"' in template["data"]
    assert template["change_mode"] == "noop" and template["env"] is False
    assert "/local/wait-for-db.addr" in wait["config"][0]["args"][2]
    # required: false gives up after a bounded wait; required ones wait for as long as it takes
    assert "-ge 60" in web["wait-for-search"]["config"][0]["args"][2]
    assert "-ge" not in wait["config"][0]["args"][2]


def test_healthy_with_nomad_provider_says_it_waits_for_registration_only() -> None:
    nomad = _run("depends-conditions")
    assert any("'db'" in m for m in _codes(nomad, "C015"))
    consul = _run("depends-conditions", provider="consul")
    assert not _codes(consul, "C015")
    assert any("'db'" in m and "passing checks" in m for m in _codes(consul, "C011"))


def test_completed_across_groups_and_no_service_are_findings() -> None:
    result = _run("depends-conditions")
    assert any("'migrate' to complete" in m for m in _codes(result, "C014"))
    assert any("'worker'" in m for m in _codes(result, "C012"))
    assert "wait-for-migrate" not in _tasks(result, "web")


def test_no_wait_tasks_option() -> None:
    result = _run("depends-no-wait", wait_tasks=False)
    assert sorted(_tasks(result, "web")) == ["name-forwarder", "web"]  # no wait task; the names are served
    assert len(_codes(result, "C014")) == 6


def test_same_group_order_uses_lifecycle() -> None:
    result = _run("depends-same-group")
    app = _tasks(result, "app")
    assert app["init"]["lifecycle"] == [{"hook": "prestart", "sidecar": False, "__is_block__": True}]
    assert app["logger"]["lifecycle"] == [{"hook": "prestart", "sidecar": True, "__is_block__": True}]
    assert "lifecycle" not in app["proxy"] and "lifecycle" not in app["app"]
    assert len(_codes(result, "C013")) == 2


def test_network_mode_alone_orders_nothing() -> None:
    """The loader's implied depends_on for network_mode: service:X needs no order in one group."""
    result = _run("network-service")
    assert all("lifecycle" not in t for t in _tasks(result, "vpn").values())


def test_cli_flag(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from translator.cli import app

    compose = FIXTURES / "compose" / "depends-conditions" / "compose.yaml"
    runner = CliRunner()
    with_wait = runner.invoke(app, [str(compose)])
    without = runner.invoke(app, [str(compose), "--no-wait-tasks"])
    assert with_wait.exit_code == 0 and without.exit_code == 0
    assert "wait-for-db" in with_wait.stdout and "wait-for-db" not in without.stdout


def test_corpus_depends_on() -> None:
    cases = dict(compose_corpus_cases())
    # redis declares no port: the documented port of its image is registered (D012), so a wait
    # task waits for it; without serving names nothing registers it (C012).
    voting = translate([str(cases["voting-app"])], environ=ENVIRON)
    assert any("'redis'" in f.message for f in voting.findings if f.code == "D012")
    assert "wait-for-redis" in [t.name for g in voting.jobs[0].groups if g.name == "vote" for t in g.tasks]
    voting = translate([str(cases["voting-app"])], Options(serve_names="off"), environ=ENVIRON)
    assert any("'redis'" in f.message for f in voting.findings if f.code == "C012")
    voting = translate([str(cases["voting-app"])], Options(provider="consul"), environ=ENVIRON)
    names = {g.name: [t.name for t in g.tasks] for g in voting.jobs[0].groups}
    assert "wait-for-redis" in names["vote"] and "wait-for-db" in names["worker"]
    temporal = translate([str(cases["temporal-compose"])], environ=ENVIRON)
    names = {g.name: [t.name for t in g.tasks] for g in temporal.jobs[0].groups}
    assert any(t.startswith("wait-for-temporal") for t in names["temporal-ui"]), names
    restart = translate([str(cases["docker-compose-restart-test-compose-depends-on"])], environ=ENVIRON)
    for job in restart.jobs:
        parse_hcl(restart.hcl[job.name])
