"""Health checks and probes: command recognition, timings, providers, and validity over every input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CORPUS, FIXTURES, compose_corpus_cases, consistent, groups, parse_hcl
from translator.api import Result, translate
from translator.compose.healthcheck import recognise_argv, recognise_shell
from translator.options import Options
from translator.source import Position

HERE = Position("compose.yaml", 1)
ENVIRON = {"HOME": "/home/user"}
# nomad/structs/services.go: validateNomad allows tcp and http; validateConsul adds grpc and script.
ALLOWED = {"nomad": {"http", "tcp"}, "consul": {"http", "tcp", "grpc", "script"}}


@pytest.mark.parametrize(
    ("argv", "kind", "port", "path", "method", "headers"),
    [
        (["curl", "-f", "http://localhost"], "http", 80, "/", None, {}),
        (["curl", "--fail", "http://localhost:8080/health"], "http", 8080, "/health", None, {}),
        (["curl", "-fsS", "http://127.0.0.1:3000/x?y=1"], "http", 3000, "/x?y=1", None, {}),
        (["curl", "-s", "-o", "/dev/null", "-X", "POST", "http://0.0.0.0/p"], "http", 80, "/p", "POST", {}),
        (["curl", "-H", "X-A: 1", "--header", "X-B:2", "https://localhost/"], "http", 443, "/", None,
         {"X-A": ["1"], "X-B": ["2"]}),
        (["curl", "-I", "localhost:9000"], "http", 9000, "/", "HEAD", {}),
        (["/usr/bin/curl", "--fail", "--request=PUT", "http://[::1]:81/"], "http", 81, "/", "PUT", {}),
        (["wget", "--spider", "-q", "http://localhost:3000/status"], "http", 3000, "/status", None, {}),
        (["wget", "-q", "-O-", "http://localhost/"], "http", 80, "/", None, {}),
        (["wget", "-q", "-O", "/dev/null", "--tries=1", "http://localhost:81/"], "http", 81, "/", None, {}),
        (["nc", "-z", "localhost", "6379"], "tcp", 6379, None, None, {}),
        (["nc", "-zv", "-w", "3", "127.0.0.1", "80"], "tcp", 80, None, None, {}),
        (["nc", "-w", "5", "localhost:80"], "tcp", 80, None, None, {}),
        (["pg_isready"], "tcp", 5432, None, None, {}),
        (["pg_isready", "-U", "u", "-d", "db", "-h", "localhost", "-p", "6432"], "tcp", 6432, None, None, {}),
        (["redis-cli", "ping"], "tcp", 6379, None, None, {}),
        (["redis-cli", "-p", "7000", "-a", "secret", "ping"], "tcp", 7000, None, None, {}),
        (["valkey-cli", "PING"], "tcp", 6379, None, None, {}),
        (["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"], "tcp", 3306, None, None, {}),
        (["mariadb-admin", "-P", "3307", "ping"], "tcp", 3307, None, None, {}),
        (["bash", "-c", "echo > /dev/tcp/localhost/9555"], "tcp", 9555, None, None, {}),
    ],
)  # fmt: skip
def test_recognised_commands(
    argv: list[str], kind: str, port: int, path: str | None, method: str | None, headers: dict[str, Any]
) -> None:
    check = recognise_argv(argv, HERE)
    assert check is not None
    assert (check.kind, check.port, check.path, check.method, check.headers) == (
        kind,
        port,
        path,
        method,
        headers,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["curl", "-f", "http://api:8080/"],  # another host: not the container itself
        ["curl", "--data", "x", "http://localhost/"],  # an option the recogniser does not know
        ["curl", "-o", "/tmp/out", "http://localhost/"],  # writes a file
        ["curl", "http://localhost/", "http://localhost/b"],  # two URLs
        ["curl", "ftp://localhost/"],
        ["wget", "-O", "/tmp/index.html", "http://localhost/"],
        ["nc", "-z", "db", "5432"],
        ["nc", "-z", "localhost", "$PORT"],
        ["pg_isready", "-h", "db"],
        ["redis-cli", "get", "key"],
        ["mysqladmin", "status"],
        ["bash", "-c", "echo > /dev/udp/localhost/53"],
        ["/healthcheck.sh"],
        [],
    ],
)
def test_other_commands_stay_commands(argv: list[str]) -> None:
    assert recognise_argv(argv, HERE) is None


@pytest.mark.parametrize(
    ("text", "kind", "port"),
    [
        ("curl -f http://localhost:8080/login/ || exit 1", "http", 8080),
        ("echo | nc -w 5 localhost:80", "tcp", 80),
        ("nc -z localhost 7000", "tcp", 7000),
        ('mysqladmin ping -h 127.0.0.1 --password="$(cat /run/secrets/pw)" --silent', "tcp", 3306),
        ("pg_isready -q -t 2 -d $POSTGRES_DB -U $POSTGRES_USER", "tcp", 5432),
    ],
)
def test_recognised_shell_text(text: str, kind: str, port: int) -> None:
    check = recognise_shell(text, HERE)
    assert check is not None and (check.kind, check.port) == (kind, port)


@pytest.mark.parametrize(
    "text",
    [
        "ps -aux | grep -v grep | grep -q worker || exit 1",
        "curl -f http://localhost/ && touch /tmp/ok",
        "curl -f http://localhost/; exit 0",
        "[ $(valkey-cli ping) = 'PONG' ]",
        "curl 'unterminated",
    ],
)
def test_shell_scripts_stay_scripts(text: str) -> None:
    assert recognise_shell(text, HERE) is None


def _run(text: str, **options: Any) -> Result:
    return translate(["-"], Options(**options), stdin_text=text, environ={}, project_name="p")


def _service_checks(result: Result) -> dict[str, list[dict[str, Any]]]:
    parsed = parse_hcl(next(iter(result.hcl.values())))
    checks: dict[str, list[dict[str, Any]]] = {}
    for group in groups(parsed).values():
        for service in group.get("service", []):
            checks[service["name"]] = service.get("check", [])
    return checks


def test_compose_durations_and_counts() -> None:
    text = """services:
  web:
    image: nginx
    expose: ["80"]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
      interval: 1m30s
      timeout: 500ms
      start_period: 90s
      retries: 5
"""
    result = _run(text)
    (check,) = _service_checks(result)["web"]
    assert (check["interval"], check["timeout"]) == ("1m30s", "1s")
    assert check["check_restart"] == [{"limit": 5, "grace": "1m30s", "__is_block__": True}]
    (timing,) = [f for f in result.findings if f.code == "C005"]
    assert "timeout 500ms raised to 1s" in timing.message and "retries 5" in timing.message


def test_compose_defaults_are_thirty_seconds() -> None:
    text = "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: nc -z localhost 80\n"
    (check,) = _service_checks(_run(text))["web"]
    assert (check["type"], check["interval"], check["timeout"]) == ("tcp", "30s", "30s")
    assert check["check_restart"][0]["limit"] == 3 and "grace" not in check["check_restart"][0]


@pytest.mark.parametrize("test", ['["NONE"]', "x\n      disable: true"])
def test_disabled_healthcheck_gives_no_check(test: str) -> None:
    text = f"services:\n  web:\n    image: nginx\n    expose: ['80']\n    healthcheck:\n      test: {test}\n"
    result = _run(text)
    assert _service_checks(result)["web"] == []
    assert not [f for f in result.findings if f.code.startswith("C") or f.code == "T005"]


def test_script_check_needs_consul() -> None:
    text = "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: /check.sh --deep\n"
    nomad = _run(text)
    assert [f.code for f in nomad.findings if f.code.startswith("C")] == ["C003"]
    assert "--provider consul" in next(f.hint for f in nomad.findings if f.code == "C003")
    consul = _run(text, provider="consul")
    (check,) = _service_checks(consul)["web"]
    assert check["type"] == "script" and check["task"] == "web"
    assert (check["command"], check["args"]) == ("/bin/sh", ["-c", "/check.sh --deep"])


def test_cmd_script_keeps_its_argv() -> None:
    text = 'services:\n  web:\n    image: nginx\n    healthcheck:\n      test: ["CMD", "kong", "health"]\n'
    (check,) = _service_checks(_run(text, provider="consul"))["web"]
    assert (check["command"], check["args"]) == ("kong", ["health"])


def test_check_attaches_to_every_service_of_its_port() -> None:
    text = """services:
  web:
    image: nginx
    expose: ["80", "9000"]
    networks: {default: {aliases: [www]}}
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:9000/health"]
"""
    checks = _service_checks(_run(text))
    assert [c["path"] for c in checks["web-port-9000"]] == ["/health"]
    assert [c["path"] for c in checks["www-port-9000"]] == ["/health"]
    assert "check_restart" in checks["web-port-9000"][0] and "check_restart" not in checks["www-port-9000"][0]
    assert checks["web"] == [] and checks["www"] == []


def _all_checks(result: Result) -> list[tuple[str, str]]:
    return [(s.provider, c.type) for j in result.jobs for g in j.groups for s in g.services for c in s.checks]


def _valid_everywhere(result: Result) -> None:
    for job in result.jobs:
        parse_hcl(result.hcl[job.name])
        for group in job.groups:
            assert len({s.provider for s in group.services}) <= 1
            for service in group.services:
                for check in service.checks:
                    assert check.type in ALLOWED[service.provider], (job.name, service.name, check.type)
                    assert check.port or service.port or check.type == "script"
                    if check.type == "http":
                        assert check.path and check.path.startswith("/")
                    if check.type == "script":
                        assert check.command and check.task in {t.name for t in group.tasks}
                    if service.connect is not None:
                        assert check.type != "tcp"


COMPOSE_INPUTS = [file for _, file in compose_corpus_cases()] + sorted(
    FIXTURES.glob("compose/*/compose.yaml")
)


@pytest.mark.parametrize("provider", ["nomad", "consul"])
@pytest.mark.parametrize("file", COMPOSE_INPUTS, ids=lambda p: f"{p.parent.name}")
def test_no_check_type_the_provider_rejects_compose(file: Path, provider: str) -> None:
    result = translate([str(file)], Options(provider=provider), environ=ENVIRON, consistency=consistent(file))
    _valid_everywhere(result)


KUBERNETES_INPUTS = sorted(p for p in (CORPUS / "kubernetes").iterdir() if p.is_dir()) + sorted(
    p for p in (FIXTURES / "kubernetes").iterdir() if p.is_dir()
)


@pytest.mark.parametrize("provider", ["nomad", "consul"])
@pytest.mark.parametrize("case", KUBERNETES_INPUTS, ids=lambda p: p.name)
def test_no_check_type_the_provider_rejects_kubernetes(case: Path, provider: str) -> None:
    _valid_everywhere(translate([str(case)], Options(provider=provider)))


def test_connect_services_keep_http_checks_and_drop_tcp() -> None:
    text = """services:
  web:
    image: nginx
    expose: ["80"]
    environment: {API: "http://api:3000"}
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
  api:
    image: api
    expose: ["3000"]
    healthcheck:
      test: ["CMD", "nc", "-z", "localhost", "3000"]
"""
    result = _run(text, discovery="connect")
    _valid_everywhere(result)
    services = {s.name: s for g in result.jobs[0].groups for s in g.services}
    assert services["api"].connect is not None and services["api"].checks == []
    assert [c.type for c in services["web"].checks] == ["http"]
    assert any(f.code == "C016" and "'api'" in f.message for f in result.findings)


def test_corpus_healthchecks_become_checks() -> None:
    expected: dict[str, list[tuple[str, str]]] = {
        "voting-app": [("vote", "http")],
        "docker-compose-restart-test-compose-depends-on": [("nginx", "tcp")],
        "awesome-compose-nginx-flask-mysql": [("db", "tcp")],
        "airflow-docker-compose": [("postgres", "tcp"), ("redis", "tcp"), ("airflow-apiserver", "http")],
    }
    cases = dict(compose_corpus_cases())
    for case, wanted in expected.items():
        result = translate([str(cases[case])], environ=ENVIRON)
        types = {
            s.name: [c.type for c in s.checks] for j in result.jobs for g in j.groups for s in g.services
        }
        for service, kind in wanted:
            assert kind in types.get(service, []), (case, service, types)


def test_json_checks_carry_nanoseconds_and_check_restart() -> None:
    text = """services:
  web:
    image: nginx
    expose: ["8443"]
    healthcheck:
      test: ["CMD", "curl", "-f", "-H", "X-A: b", "https://localhost:8443/h"]
      interval: 15s
      timeout: 5s
      start_period: 10s
"""
    api = json.loads(_run(text).documents("json")["p.nomad.json"])["Job"]
    (service,) = api["TaskGroups"][0]["Services"]
    (check,) = service["Checks"]
    assert check == {
        "Name": "healthcheck",
        "Type": "http",
        "PortLabel": "",
        "Interval": 15 * 10**9,
        "Timeout": 5 * 10**9,
        "Path": "/h",
        "Protocol": "https",
        "Header": {"X-A": ["b"]},
        "CheckRestart": {"Limit": 3, "Grace": 10 * 10**9, "IgnoreWarnings": False},
    }


@pytest.mark.parametrize(
    ("argv", "any_status"),
    [
        (["curl", "http://localhost/health"], True),
        (["curl", "-s", "-o", "/dev/null", "http://localhost/"], True),
        (["curl", "-f", "http://localhost/"], False),
        (["curl", "-fsS", "http://localhost/"], False),
        (["curl", "--fail", "http://localhost/"], False),
        (["curl", "--fail-with-body", "http://localhost/"], False),
        (["wget", "--spider", "http://localhost/"], False),  # wget fails on 4xx and 5xx itself
    ],
)
def test_curl_without_fail_passes_on_any_status(argv: list[str], any_status: bool) -> None:
    check = recognise_argv(argv, HERE)
    assert check is not None and check.kind == "http"
    assert check.any_status is any_status
