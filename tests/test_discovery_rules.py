"""The reference-detection rules of docs/discovery.md, each tested on both sides."""

from __future__ import annotations

from typing import Any

import pytest

from translator.api import Result, translate_text
from translator.discovery.envfile import template_text
from translator.discovery.references import Reference, find_references
from translator.options import Options

TARGETS = """
  db:
    image: postgres:16
    expose: ["5432"]
  api:
    image: example/api
    expose: ["8080"]
"""


def references(environment: dict[str, str], command: list[str] | None = None) -> dict[str, list[Reference]]:
    """key → references found in a caller's environment (and ``command[i]``), with db and api as targets."""
    lines = "".join(f"      {k}: {v!r}\n" for k, v in environment.items())
    cmd = f"    command: {command!r}\n" if command else ""
    env = f"    environment:\n{lines}" if lines else ""  # Compose refuses an empty key
    text = f"services:\n  app:\n    image: example/app\n{cmd}{env}{TARGETS}"
    project = translate_text(text).project
    found = find_references(project)
    return {v.key if v.where == "env" else f"{v.where}[{v.key}]": v.references for v in found.values}


def codes(environment: dict[str, str]) -> list[str]:
    lines = "".join(f"      {k}: {v!r}\n" for k, v in environment.items())
    text = f"services:\n  app:\n    image: example/app\n    environment:\n{lines}{TARGETS}"
    return [f.code for f in translate_text(text).findings if f.code.startswith("D")]


@pytest.mark.parametrize(
    ("value", "port"),
    [
        ("db:5432", 5432),
        ("postgres://user:pw@db:5432/app?sslmode=disable", 5432),
        ("postgres://user:pw@db/app", 5432),  # the scheme's default port
        ("http://api:8080/", 8080),
        ("db+postgresql://u:p@db/x", 5432),  # compound schemes: any known part
    ],
)
def test_host_with_port_or_scheme_is_a_reference_under_any_key(value: str, port: int) -> None:
    (ref,) = references({"ANYTHING": value})["ANYTHING"]
    assert (ref.kind, ref.port) == ("address", port)


@pytest.mark.parametrize("value", ["db.example.com:5432", "mydb:5432", "db-2:5432", "x.db:5432", "dbx"])
def test_a_longer_name_containing_a_service_name_is_not_a_reference(value: str) -> None:
    assert "ANYTHING" not in references({"ANYTHING": value})


@pytest.mark.parametrize(
    "key", ["DB_HOST", "DATABASE_HOSTNAME", "PG_SERVER", "DB_ADDR", "ES_SEEDS", "KAFKA_BROKERS"]
)
def test_bare_name_under_a_host_key_is_a_reference(key: str) -> None:
    (ref,) = references({key: "db"})[key]
    assert ref.kind == "host"


@pytest.mark.parametrize("key", ["POSTGRES_USER", "POSTGRES_DB", "SERVICE_NAME", "DB_PASSWORD"])
def test_bare_name_under_a_key_that_names_something_else_is_silent(key: str) -> None:
    assert key not in references({key: "db"})
    assert codes({key: "db"}) == []


def test_bare_name_under_another_key_is_a_warning_not_a_rewrite() -> None:
    assert "MODE_SETTING" not in references({"MODE_SETTING": "db"})
    assert codes({"MODE_SETTING": "db"}) == ["D003"]


def test_bare_name_inside_a_sentence_is_not_a_reference() -> None:
    assert "GREETING" not in references({"GREETING": "connect to db now"})


def test_sibling_port_variable_is_rewritten_with_the_host() -> None:
    found = references({"DB_HOST": "db", "DB_PORT": "5432"})
    assert found["DB_PORT"][0].kind == "port"
    assert found["DB_HOST"][0].port == 5432
    assert "D004" not in codes({"DB_HOST": "db", "DB_PORT": "5432"})


def test_host_without_a_port_variable_warns_that_the_port_is_dynamic() -> None:
    assert "D004" in codes({"DB_HOST": "db"})


def test_comma_list_elements_repeat_per_instance() -> None:
    found = references({"BACKENDS": "http://db:5432/x,api:8080"})["BACKENDS"]
    assert [r.repeat.prefix if r.repeat else None for r in found] == ["http://", ""]
    assert found[0].repeat is not None and found[0].repeat.suffix == "/x"


def test_arguments_need_a_port_a_scheme_or_a_host_option() -> None:
    found = references({}, ["run", "db:5432", "-h", "db", "db", "--host=api", "--name=db"])
    assert set(found) == {"command[1]", "command[3]", "command[5]"}


def _app_args(result: Result) -> list[Any]:
    (group,) = [g for g in result.jobs[0].groups if g.name == "app"]
    args = group.tasks[0].config.args
    assert args is not None
    return args


@pytest.mark.parametrize(
    ("command", "port_at", "written"),
    [
        (["pg_dump", "-h", "db", "-p", "5432"], 4, "5432"),
        (["psql", "--host", "db", "--port=5432", "-c", "select 1"], 3, "5432"),
        (["client", "--port", "8080", "--api-host=api"], 2, "8080"),
        (["mysql", "-h", "db", "-P5432"], 3, "5432"),
    ],
)
def test_a_port_argument_beside_a_host_argument_is_rewritten_with_it(
    command: list[str], port_at: int, written: str
) -> None:
    found = references({}, command)
    (port,) = found[f"command[{port_at}]"]
    assert (port.kind, port.written) == ("port", written)
    text = f"services:\n  app:\n    image: example/app\n    command: {command!r}\n{TARGETS}"
    result = translate_text(text)
    assert "D004" not in [f.code for f in result.findings]
    args = _app_args(result)
    assert str(args[port_at]).endswith("_PORT_" + written + "}")


@pytest.mark.parametrize(
    "command",
    [
        ["pg_dump", "-h", "db", "-p", "6543"],  # not a port db declares
        ["pg_dump", "-h", "db", "5432"],  # not a port option's value
        ["pg_dump", "-h", "db", "--timeout", "5432"],
        ["serve", "-p", "5432", "--upstream-host", "db"],  # ... nor when the caller listens on it itself
    ],
)
def test_other_numbers_beside_a_host_argument_stay_and_the_port_is_reported(command: list[str]) -> None:
    own = "    ports: ['5432']\n" if command[0] == "serve" else ""
    text = f"services:\n  app:\n    image: example/app\n{own}    command: {command!r}\n{TARGETS}"
    result = translate_text(text)
    assert not [v for v in find_references(result.project).values if v.references[0].kind == "port"]
    assert "D004" in [f.code for f in result.findings]


def test_connect_passes_a_port_argument_as_the_upstream_port() -> None:
    text = f"services:\n  app:\n    image: example/app\n    command: ['-h', 'db', '-p', '5432']\n{TARGETS}"
    args = _app_args(translate_text(text, options=Options(discovery="connect")))
    assert [str(a) for a in args] == [
        "-h",
        "${NOMAD_UPSTREAM_IP_db}",
        "-p",
        "${NOMAD_UPSTREAM_PORT_db}",
    ]


def test_references_inside_one_group_become_localhost() -> None:
    text = (
        "services:\n  app:\n    image: a\n    ports: ['8080']\n"
        "  side:\n    image: b\n    network_mode: service:app\n    environment:\n      URL: http://app:8080/x\n"
    )
    result = translate_text(text)
    task = result.jobs[0].groups[0].tasks[1]
    assert task.env["URL"] == "http://localhost:8080/x"
    assert not task.templates


def test_connect_upstream_ports_are_unique_in_a_group() -> None:
    text = (
        "services:\n  app:\n    image: a\n    ports: ['5432']\n    environment:\n"
        "      A: db:5432\n      B: db2:5432\n"
        "  db:\n    image: p\n    expose: ['5432']\n  db2:\n    image: p\n    expose: ['5432']\n"
    )
    job = translate_text(text, options=Options(discovery="connect")).jobs[0]
    app = next(g for g in job.groups if g.name == "app")
    connect = app.services[0].connect
    assert connect is not None
    ports = [u.local_bind_port for u in connect.upstreams]
    assert len(set(ports)) == len(ports) and 5432 not in ports  # the app itself listens on 5432
    for group in job.groups:
        assert all(s.provider == "consul" for s in group.services)
    db = next(g for g in job.groups if g.name == "db")
    assert db.services[0].connect is not None and db.services[0].connect.local_service_port == 5432


@pytest.mark.parametrize(
    ("text", "before_action", "expected"),
    [
        ("a{{b", False, 'a{{ "{{" }}b'),
        ("x{", True, 'x{{ "{" }}'),  # a brace right before an action would open it early
        ("x{", False, "x{"),
        ('q"\\\n', False, 'q\\"\\\\\\n'),  # JSON escapes for go-envparse
    ],
)
def test_template_text_escapes_braces_and_json(text: str, before_action: bool, expected: str) -> None:
    assert template_text(text, before_action) == expected


def test_name_pattern_matches_as_a_flat_longest_first_alternation() -> None:
    """The trie-shaped pattern finds exactly what ``a|b|...`` (longest name first) finds."""
    import random
    import re

    from translator.discovery.references import _pattern

    rng = random.Random(7)
    alphabet = "ab-.1ks"
    for _ in range(1500):
        names = {
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 7))
        }
        flat = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        expected = re.compile(rf"(?<![\w.\-])(?:{flat})(?![\w\-]|\.\w)", re.IGNORECASE)
        pattern = _pattern(dict.fromkeys(names))  # type: ignore[arg-type]
        for _ in range(20):
            text = "".join(rng.choice(alphabet + "AKS_ :/x\u212a") for _ in range(rng.randint(0, 14)))
            found = [(m.span(), m.group()) for m in pattern.finditer(text)]
            assert found == [(m.span(), m.group()) for m in expected.finditer(text)], (names, text)


# ----- the records the report reads (translator.nomad.Wire) -----


def wires(text: str, options: Options | None = None, source: str | None = None) -> list[Any]:
    from translator.api import translate

    result = translate(["-"], options, stdin_text=text, stdin_name="in.yaml", environ={}, source=source)
    return [w for job in result.jobs for g in job.groups for w in g.wiring if w.kind == "rewritten"]


def test_each_rewritten_reference_is_a_wire_with_its_variable_and_texts() -> None:
    text = (
        "services:\n  app:\n    image: example/app\n"
        "    command: ['--db', 'db:5432', '--api=http://api:8080/v1']\n"
        "    environment:\n      BACKENDS: 'db:5432,api:8080'\n" + TARGETS
    )
    found = {(w.variable, w.target): w for w in wires(text)}
    assert sorted(found) == [("BACKENDS", "api"), ("BACKENDS", "db"), ("args[1]", "db"), ("args[2]", "api")]
    argument = found["args[1]", "db"]
    assert (argument.client, argument.via, argument.service, argument.port, argument.task) == (
        "app",
        "nomad",
        "db",
        5432,
        "app",
    )
    assert (argument.before, argument.after) == ("db:5432", "${DISCOVERED_DB_ADDRESS_5432}")
    # One value, two references: a record each, with the value's texts as the finding shows them.
    listed = found["BACKENDS", "db"]
    assert (
        listed.after
        == found["BACKENDS", "api"].after
        == "<address of nomadService 'db'>,<address of nomadService 'api'>"
    )
    assert listed.position.line == 6


def test_wires_say_how_the_address_is_found() -> None:
    same_group = (
        "services:\n  app:\n    image: example/app\n    ports: ['8080']\n"
        "  proxy:\n    image: example/proxy\n    network_mode: service:app\n"
        "    environment:\n      UPSTREAM: app:8080\n"
    )
    (local,) = wires(same_group)
    assert (local.client, local.target, local.via, local.service, local.after) == (
        "app",
        "app",
        "local",
        "",
        "localhost:8080",
    )
    text = "services:\n  app:\n    image: example/app\n    environment:\n      DB_URL: postgres://db:5432/x\n"
    (connect,) = wires(text + TARGETS, Options(discovery="connect"))
    # The upstream it added is known from the record: its service and port.
    assert (connect.via, connect.service, connect.port) == ("connect", "db", 5432)
    assert connect.after == "postgres://${NOMAD_UPSTREAM_ADDR_db}/x"
    (consul,) = wires(text + TARGETS, Options(discovery="consul"))
    assert consul.via == "consul" and consul.after == "postgres://<address of service 'db'>/x"
    # Services registered in Consul are looked up there, whatever the discovery mode.
    (registered,) = wires(text + TARGETS, Options(provider="consul", discovery="nomad"))
    assert registered.via == "consul" and registered.after == consul.after


def test_a_reference_to_an_external_name_is_a_wire_to_no_workload() -> None:
    text = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: payments}\n"
        "spec: {type: ExternalName, externalName: payments.example.com}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n"
        "spec:\n  selector: {matchLabels: {app: app}}\n  template:\n    metadata: {labels: {app: app}}\n"
        "    spec:\n      containers:\n        - name: app\n          image: example/app\n"
        "          env: [{name: PAYMENTS_URL, value: 'https://payments:443/v1'}]\n"
    )
    (external,) = wires(text, source="kubernetes")
    assert (external.client, external.target, external.via, external.service) == ("app", "", "external", "")
    assert external.after == "https://payments.example.com:443/v1"


def test_a_value_with_a_quote_is_not_said_to_be_rendered_by_a_template() -> None:
    """The finding once took a value whose repr starts with a double quote for a template."""
    text = 'services:\n  app:\n    image: example/app\n    command: ["--db=it\'s db:5432"]\n' + TARGETS
    result = translate_text(text, options=Options(discovery="connect"))
    (finding,) = [f for f in result.findings if f.code == "D001"]
    assert finding.message.endswith('now reads "--db=it\'s ${NOMAD_UPSTREAM_ADDR_db}"')
