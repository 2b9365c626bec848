"""Every template the translator writes is parsed and executed by Go's text/template, with the
consul-template functions Nomad renders it with (tests/gotemplate).

For every fixture and every corpus case, in every provider × discovery combination, each
``template`` of each task is rendered against a fake catalog of the services the translated
jobs register (a ``provider = "nomad"`` service in Nomad's catalog, a ``consul`` one in
Consul's; two instances each, an IPv4 and an IPv6 one, in both orders). It must parse, execute,
look up only names some job registers with that provider, read only variables the task has and
Nomad variables its job can read; env templates must render lines Nomad's env-file parser
(hashicorp/go-envparse) accepts, with IPv6 addresses bracketed before a port; a file a wait
task polls must be empty until the dependency has an instance, and not after.

The first tests check the renderer itself against consul-template's documented behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.compose_reference import load_options, variants
from tests.gotemplate import Renderer, Request, render
from tests.helpers import (
    FIXTURES,
    compose_corpus_cases,
    consistent,
    corpus_dir,
    fixture_options,
    runtime_interpolate,
)
from translator.api import Result, translate, translate_text
from translator.nomad import Group, Job, Task, Template
from translator.options import DISCOVERY_MODES, PROVIDERS, Options

# -- the renderer itself ---------------------------------------------------------------------

DB = [
    {"Address": "192.0.2.10", "Port": 5432, "Tags": ["primary", "v1"], "AllocID": "a1", "JobID": "shop"},
    {"Address": "2001:db8::1", "Port": 5433, "Tags": ["replica"], "AllocID": "a2", "JobID": "shop"},
]
API = [
    {"Address": "192.0.2.20", "Port": 8080, "Node": "n1", "Status": "passing", "Tags": ["blue"]},
    {"Address": "192.0.2.21", "Port": 8081, "Node": "n2", "Status": "warning"},
    {"Address": "192.0.2.22", "Port": 8082, "Node": "n0", "Status": "critical"},
]
BRACKETED = '{{ if .Address | contains ":" }}[{{ .Address }}]{{ else }}{{ .Address }}{{ end }}:{{ .Port }}'


def test_unknown_function_fails_to_parse(go_renderer: Renderer) -> None:
    done = render('{{ nomadServices "db" }}')
    assert done.error.startswith("parse: ") and "not defined" in done.error


def test_nomad_service_lists_every_instance_and_filters_by_tag(go_renderer: Renderer) -> None:
    template = '{{ range nomadService "db" }}' + BRACKETED + ",{{ end }}"
    assert render(template, nomad={"db": DB}).output == "192.0.2.10:5432,[2001:db8::1]:5433,"
    tagged = render('{{ range nomadService "replica.db" }}{{ .Port }}{{ end }}', nomad={"db": DB})
    assert tagged.output == "5433"


def test_nomad_service_fields_are_consul_templates(go_renderer: Renderer) -> None:
    fields = (
        '{{ with index (nomadService "db") 0 }}{{ .JobID }} {{ .AllocID }} {{ .Tags }} {{ .Name }}{{ end }}'
    )
    assert render(fields, nomad={"db": DB}).output == "shop a1 [primary v1] db"
    # NomadService has no Namespace field: a template reading it fails in Nomad too.
    wrong = render('{{ range nomadService "db" }}{{ .Namespace }}{{ end }}', nomad={"db": DB})
    assert wrong.error.startswith("execute: ") and "Namespace" in wrong.error


def test_nomad_service_three_argument_form_keeps_a_stable_subset(go_renderer: Renderer) -> None:
    many = [
        {"ID": f"db-{i}", "Address": f"192.0.2.{i}", "Port": 1000 + i, "AllocID": f"a{i}"}
        for i in range(1, 9)
    ]
    chosen = '{{ range nomadService 3 "alloc-1" "db" }}{{ .Port }} {{ end }}'
    first = render(chosen, nomad={"db": many}).output.split()
    assert len(first) == 3 and len(set(first)) == 3
    assert render(chosen, nomad={"db": many[::-1]}).output.split() == first  # order of the catalog aside
    assert render('{{ nomadService 20 "k" "db" | len }}', nomad={"db": many}).output == "8"
    assert render('{{ nomadService "3" "k" "db" }}', nomad={"db": many}).error.startswith("execute: ")
    assert render('{{ nomadService 3 "db" }}', nomad={"db": many}).error.startswith("execute: ")
    assert "malformed" in render('{{ nomadService 2 "" "db" }}', nomad={"db": many}).error


def test_nomad_service_refuses_a_query_it_cannot_read(go_renderer: Renderer) -> None:
    assert "invalid format" in render('{{ nomadService "db:5432" }}', nomad={"db": DB}).error


def test_consul_service_lists_passing_instances_by_node_unless_filtered(go_renderer: Renderer) -> None:
    ports = "{{ range . }}{{ .Port }}/{{ .Status }} {{ end }}"
    assert render('{{ with service "api" }}' + ports + "{{ end }}", consul={"api": API}).output == (
        "8080/passing "
    )
    everything = render('{{ with service "api" "any" }}' + ports + "{{ end }}", consul={"api": API})
    assert everything.output == "8082/critical 8080/passing 8081/warning "  # sorted by node
    some = render('{{ with service "api|warning,critical" }}' + ports + "{{ end }}", consul={"api": API})
    assert some.output == "8082/critical 8081/warning "
    tagged = render('{{ range service "blue.api@dc2" }}{{ .Node }}{{ end }}', consul={"api": API})
    assert tagged.output == "n1"
    assert "invalid filter" in render('{{ service "api" "healthy" }}', consul={"api": API}).error
    assert render('{{ range service "api|," }}{{ .Port }}{{ end }}', consul={"api": API}).output == ""


def test_consul_service_fields_are_consul_templates(go_renderer: Renderer) -> None:
    template = (
        '{{ range service "api" }}{{ .Name }} {{ .ID }} {{ .NodeAddress }} '
        "{{ (index .Checks 0).Status }}{{ end }}"
    )
    done = render(template, consul={"api": [{"Address": "192.0.2.30", "Port": 1, "ID": "api-1"}]})
    assert done.output == "api api-1 192.0.2.30 passing"
    assert "JobID" in render('{{ range service "api" }}{{ .JobID }}{{ end }}', consul={"api": API}).error


def test_lookups_of_unregistered_names_are_reported_per_provider(go_renderer: Renderer) -> None:
    done = render(
        '{{ range nomadService "db" }}x{{ end }}{{ range service "db" }}y{{ end }}'
        '{{ range service "api" }}{{ end }}',
        nomad={"db": DB},
        consul={"api": []},  # registered, no instance yet: not missing
    )
    assert (done.error, done.output, done.missing) == ("", "xx", ("consul:db",))


def test_env_reads_only_the_given_environment(go_renderer: Renderer) -> None:
    done = render('{{ env "A" }}-{{ env "HOME" }}', env={"A": "1"})
    assert (done.output, done.unset_env) == ("1-", ("HOME",))


def test_contains_tests_substrings_and_list_members(go_renderer: Renderer) -> None:
    template = '{{ "a:b" | contains ":" }} {{ "ab" | contains ":" }} {{ .Tags | contains "v1" }}'
    done = render('{{ with index (nomadService "db") 0 }}' + template + "{{ end }}", nomad={"db": DB})
    assert done.output == "true false true"


def test_to_json_escapes_as_go_does(go_renderer: Renderer) -> None:
    assert render('{{ "a\\"<b>&\\n" | toJSON }}').output == '"a\\"\\u003cb\\u003e\\u0026\\n"'


def test_nomad_var_items_render_and_missing_variables_are_reported(go_renderer: Renderer) -> None:
    template = (
        '{{ with nomadVar "nomad/jobs/shop" }}{{ range $k, $v := . }}{{ $k }}={{ $v.String | toJSON }};'
        '{{ end }}{{ (index . "absent").String | toJSON }}{{ end }}'
        '{{ with nomadVar "nomad/jobs/other" }}x{{ end }}'
    )
    done = render(template, variables={"nomad/jobs/shop": {"b": "2", "a": "<1>"}})
    assert done.output == 'a="\\u003c1\\u003e";b="2";""'
    assert done.missing == ("var:nomad/jobs/other",)


# -- Nomad's env-file parser ------------------------------------------------------------------------

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./]*\Z")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "r": "\r", "n": "\n", "t": "\t"}


def env_file_problems(text: str) -> list[str]:
    """What hashicorp/go-envparse (v0.1.0, Nomad's) refuses in a rendered env file, line by line."""
    problems = []
    for number, raw in enumerate(text.split("\n"), 1):
        problem = _env_line_problem(raw.removesuffix("\r").strip(" \t\r\n\v\f"))
        if problem:
            problems.append(f"line {number} {raw!r}: {problem}")
    return problems


def _env_line_problem(line: str) -> str:
    if not line or line.startswith("#"):
        return ""
    key, sep, value = line.partition("=")
    if not sep:
        return "missing ="
    key, value = key.strip(), value.strip()
    if len(key) > len("export "):
        key = key.removeprefix("export ")
    if not _KEY.match(key):
        return f"key {key!r} is not [A-Za-z_][A-Za-z0-9_./]*"
    mode, i = "plain", 0
    while i < len(value):
        c = value[i]
        if ord(c) < 32:
            return f"control character {c!r} in the value"
        if mode == "plain":
            if c == "#":
                return ""
            mode = {'"': "double", "'": "single"}.get(c, mode)
        elif mode == "double":
            mode = {'"': "plain", "\\": "escape"}.get(c, mode)
        elif mode == "single":
            mode = "plain" if c == "'" else mode
        else:  # after a backslash inside double quotes
            if c == "u":
                if not re.fullmatch(r"[0-9A-Fa-f]{4}", value[i + 1 : i + 5]):
                    return "incomplete \\u escape"
                if 0xD800 <= int(value[i + 1 : i + 5], 16) <= 0xDFFF:  # a surrogate: its pair must follow
                    if not re.fullmatch(r"\\u[0-9A-Fa-f]{4}", value[i + 5 : i + 11]):
                        return "incomplete surrogate pair"
                    i += 6
                i += 4
            elif c not in _ESCAPES:
                return f"invalid escape \\{c}"
            mode = "double"
        i += 1
    return {"double": 'unmatched "', "single": "unmatched '", "escape": "incomplete escape"}.get(mode, "")


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ('A="x\\u003cy\\n"\nexport B=1 # note\n\n# comment\nC=\n', False),
        ("A-B=1\n", True),
        ('A="unclosed\n', True),
        ('A="\\x"\n', True),
        ('A="\\ud83d\\ude00"\n', False),
        ('A="\\ud83d"\n', True),
        ("A=tab\there\n", True),
        ("=1\n", True),
        ("no separator\n", True),
    ],
)
def test_env_file_checker_follows_go_envparse(text: str, refused: bool) -> None:
    assert bool(env_file_problems(text)) == refused


# -- every template of every case ------------------------------------------------------------------

ENVIRON = {"HOME": "/home/user"}  # as the fixture tests: no value from this machine
COMBINATIONS = [(p, d) for p in PROVIDERS for d in DISCOVERY_MODES]
SECRET_ITEMS = {"EXAMPLE_ITEM": 'a "quoted" <value> & more\n\tsecond line, café'}
IPV6 = "2001:db8::1"


@dataclass(frozen=True)
class Case:
    name: str
    source: Path  # the fixture or corpus directory the case comes from
    run: Callable[[Options], Result]
    options: dict[str, Any] = field(default_factory=dict)  # the case's own Options fields

    def translate(self, provider: str, discovery: str) -> Result:
        return self.run(Options(**{**self.options, "provider": provider, "discovery": discovery}))


def _translator(files: list[Path], **kwargs: Any) -> Callable[[Options], Result]:
    return lambda options: translate([str(f) for f in files], options, **kwargs)


def _cases() -> list[Case]:
    cases = []
    for case in sorted(p.parent for p in (FIXTURES / "compose").glob("*/compose.yaml")):
        extra = fixture_options(case)
        cases.append(
            Case(f"compose/{case.name}", case, _translator([case / "compose.yaml"], environ=ENVIRON), extra)
        )
    for case in sorted(p.parent for p in (FIXTURES / "compose-loader").glob("*/case.json")):
        for variant, spec in variants(case).items():
            loaded = load_options(case, spec)
            run = _translator(
                [Path(f) for f in loaded.files],
                project_directory=loaded.project_directory,
                project_name=loaded.project_name,
                env_files=loaded.env_files,
                profiles=loaded.profiles,
                environ=loaded.environ,
            )
            cases.append(Case(f"compose-loader/{case.name}/{variant}", case, run))
    for case in sorted(p.parent for p in (FIXTURES / "discovery").glob("*/compose.yaml")):
        cases.append(
            Case(f"discovery/{case.name}", case, _translator([case / "compose.yaml"], environ=ENVIRON))
        )
    for case in sorted(p for p in (FIXTURES / "keep-variables").iterdir() if p.is_dir()):
        files = [case / "compose.yaml", *[p for p in [case / "compose.override.yaml"] if p.is_file()]]
        run = _translator(files, environ=ENVIRON, keep_variables=True)
        cases.append(Case(f"keep-variables/{case.name}", case, run))
    for case in sorted(p for p in (FIXTURES / "kubernetes").iterdir() if p.is_dir()):
        cases.append(Case(f"kubernetes/{case.name}", case, _translator([case])))
    for case in sorted(p for p in (FIXTURES / "names").iterdir() if p.is_dir()):
        inputs = [case / "compose.yaml"] if (case / "compose.yaml").is_file() else [case]
        cases.append(Case(f"names/{case.name}", case, _translator(inputs, environ=ENVIRON)))
    for name, path in compose_corpus_cases():
        run = _translator([path], environ={}, consistency=consistent(path))
        cases.append(Case(f"corpus/compose/{name}", path.parent, run))
    for case in sorted(p for p in corpus_dir("kubernetes").iterdir() if p.is_dir()):
        cases.append(Case(f"corpus/kubernetes/{case.name}", case, _translator([case])))
    return cases


CASES = _cases()


def test_every_fixture_and_corpus_case_is_rendered() -> None:
    covered = {c.source for c in CASES}
    fixtures = {
        case for kind in FIXTURES.iterdir() if kind.is_dir() for case in kind.iterdir() if case.is_dir()
    }
    assert sorted(fixtures - covered) == []  # fixtures/hostile holds only an unreadable file
    for kind in ("compose", "kubernetes"):
        assert {p for p in corpus_dir(kind).iterdir() if p.is_dir()} <= covered


@dataclass(frozen=True)
class Site:
    """One template of one task, with what the task sees at run time."""

    job: Job
    group: Group
    task: Task
    template: Template

    def __str__(self) -> str:
        return f"{self.job.name}/{self.group.name}/{self.task.name} → {self.template.destination}"


def sites(jobs: list[Job]) -> list[Site]:
    return [Site(j, g, t, tp) for j in jobs for g in j.groups for t in g.tasks for tp in t.templates]


def catalogs(jobs: list[Job], ipv6_first: bool, empty: bool = False) -> dict[str, dict[str, list[Any]]]:
    """provider → service name → instances: every service the jobs register, where they register it.

    Two instances each (an IPv4 and an IPv6 one, in the order asked); ``empty``: registered, with
    no instance yet."""
    found: dict[str, dict[str, list[Any]]] = {"nomad": {}, "consul": {}}
    number = 0
    for job in jobs:
        for group in job.groups:
            for service in group.services:
                number += 1
                addresses = [f"192.0.2.{number % 254 + 1}", IPV6]
                if ipv6_first:
                    addresses.reverse()
                instances = [
                    {
                        "ID": f"_nomad-task-{job.name}-{group.name}-{service.name}-{number}-{i}",
                        "Node": f"node-{i}",
                        "AllocID": f"alloc-{number}-{i}",
                        "JobID": job.name,
                        "Address": address,
                        "Port": 20000 + 2 * number + i,
                        # Nomad interpolates tags on the client: this instance's allocation index
                        "Tags": [
                            runtime_interpolate(str(t), {"NOMAD_ALLOC_INDEX": str(i)}) for t in service.tags
                        ],
                        "Status": "passing",
                    }
                    for i, address in enumerate(addresses)
                ]
                # An unknown provider raises here: the catalog has no place for it.
                found[service.provider].setdefault(service.name, []).extend([] if empty else instances)
    return found


def _clean(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "_", name)


def task_environment(site: Site) -> dict[str, str]:
    """What Nomad gives the task: its env, the NOMAD_* variables and its group's upstreams."""
    env = {key: str(value) for key, value in site.task.env.items()}
    env.update(
        NOMAD_JOB_NAME=site.job.name,
        NOMAD_GROUP_NAME=site.group.name,
        NOMAD_TASK_NAME=site.task.name,
        NOMAD_ALLOC_ID="alloc-0",
        NOMAD_ALLOC_INDEX="0",
        NOMAD_NAMESPACE=site.job.namespace or "default",
        NOMAD_REGION="global",
        NOMAD_DC="dc1",
    )
    for port in site.group.network.ports:
        host = port.static or 23456
        label = _clean(port.label)
        env[f"NOMAD_PORT_{label}"] = str(port.to or host)
        env[f"NOMAD_HOST_PORT_{label}"] = str(host)
        env[f"NOMAD_IP_{label}"] = "192.0.2.254"
        env[f"NOMAD_ADDR_{label}"] = f"192.0.2.254:{host}"
    for service in site.group.services:
        for upstream in service.connect.upstreams if service.connect else []:
            for name in {upstream.destination_name, _clean(upstream.destination_name)}:
                env[f"NOMAD_UPSTREAM_IP_{name}"] = "127.0.0.1"
                env[f"NOMAD_UPSTREAM_PORT_{name}"] = str(upstream.local_bind_port)
                env[f"NOMAD_UPSTREAM_ADDR_{name}"] = f"127.0.0.1:{upstream.local_bind_port}"
    return env


def readable_variables(job: Job) -> dict[str, dict[str, str]]:
    """The Nomad variables a task of ``job`` reads without an ACL policy (workload identity)."""
    paths = [f"nomad/jobs/{job.name}"]
    for group in job.groups:
        paths.append(f"nomad/jobs/{job.name}/{group.name}")
        paths += [f"nomad/jobs/{job.name}/{group.name}/{task.name}" for task in group.tasks]
    return {path: dict(SECRET_ITEMS) for path in paths}


def polled(site: Site) -> bool:
    """A file the task waits for with ``[ -s FILE ]``: it must stay empty until the lookup finds one."""
    return any(f"-s /{site.template.destination}" in str(arg) for arg in site.task.config.args or [])


_UNBRACKETED = re.compile(r"(?<!\[)" + re.escape(IPV6) + r":\d")


@pytest.mark.parametrize(("provider", "discovery"), COMBINATIONS, ids=[f"{p}-{d}" for p, d in COMBINATIONS])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_template_parses_and_executes(
    case: Case, provider: str, discovery: str, go_renderer: Renderer
) -> None:
    jobs = case.translate(provider, discovery).jobs
    found = sites(jobs)
    requests: list[tuple[Site, str, Request]] = []
    for ipv6_first in (False, True):
        catalog = catalogs(jobs, ipv6_first)
        order = "IPv6 first" if ipv6_first else "IPv4 first"
        for site in found:
            request = Request(
                site.template.data,
                catalog["nomad"],
                catalog["consul"],
                task_environment(site),
                readable_variables(site.job),
            )
            requests.append((site, order, request))
    empty = catalogs(jobs, False, empty=True)
    for site in filter(polled, found):
        requests.append((site, "no instance", Request(site.template.data, empty["nomad"], empty["consul"])))
    answers = go_renderer.render_many([r for _, _, r in requests])
    problems: list[str] = []
    for (site, order, _), done in zip(requests, answers, strict=True):
        where = f"{site} ({order})"
        if done.error:
            problems.append(f"{where}: {done.error}")
        if done.missing:
            problems.append(
                f"{where}: looks up what nothing registers or its job cannot read: {done.missing}"
            )
        if done.unset_env and order != "no instance":
            problems.append(f"{where}: reads variables the task does not have: {done.unset_env}")
        if site.template.env:
            problems += [f"{where}: {p}" for p in env_file_problems(done.output)]
            problems += [f"{where}: IPv6 address without brackets before a port in {done.output!r}"] * bool(
                _UNBRACKETED.search(done.output)
            )
        if polled(site) and (order == "no instance") != (done.output == ""):
            problems.append(f"{where}: the polled file is {done.output!r}")
    assert problems == []


# -- the lookup follows the provider the target is registered with ---------------------------------

CALLER_AND_DATABASE = """\
services:
  app:
    image: example/app
    environment:
      DATABASE_URL: postgres://user@db:5432/app
      KAFKA_BROKERS: db:5432,localhost:9092
    command: ["wait-for", "db:5432"]
  db:
    image: postgres:16
    expose: ["5432"]
"""


@pytest.mark.parametrize(
    ("provider", "discovery"), [("nomad", "nomad"), ("consul", "nomad"), ("consul", "consul")]
)
def test_discovery_templates_look_the_target_up_where_it_is_registered(
    provider: str, discovery: str, go_renderer: Renderer
) -> None:
    result = translate_text(CALLER_AND_DATABASE, options=Options(provider=provider, discovery=discovery))
    (job,) = result.jobs
    assert {s.provider for g in job.groups for s in g.services} == {provider}
    (template,) = [t for g in job.groups for task in g.tasks for t in task.templates if t.env]
    catalog = {"db": [{"Address": "192.0.2.7", "Port": 31000}, {"Address": IPV6, "Port": 31001}]}
    done = render(template.data, **{"nomad": {}, "consul": {}, provider: catalog})
    assert (done.error, done.missing) == ("", ())
    assert sorted(done.output.splitlines()) == [
        'DATABASE_URL="postgres://user@192.0.2.7:31000/app"',
        'DISCOVERED_DB_ADDRESS_5432="192.0.2.7:31000"',
        'KAFKA_BROKERS="192.0.2.7:31000,[2001:db8::1]:31001,localhost:9092"',
    ]
    function = {"nomad": "nomadService", "consul": "service"}[provider]
    shown = [f.message for f in result.findings if f.code == "D001" and f.message.startswith("DATABASE_URL")]
    assert shown and all(f"<address of {function} 'db'>" in m for m in shown)  # the finding says so too
