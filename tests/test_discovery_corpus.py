"""Discovery on real projects: every env value that names another service is rewritten, nothing
else is, every template is well-formed and renders the source value with only host and port
changed; voting-app, whose services find each other in code, gets a warning per dependency."""

from __future__ import annotations

import re

import pytest

from tests.discovery_checks import normalise
from tests.helpers import compose_corpus_cases, consistent
from tests.test_discovery_fixtures import host_names, rendered_env, source_values
from translator.api import Result, translate
from translator.options import DISCOVERY_MODES, Options

CASES = {name: path for name, path in compose_corpus_cases()}
WITH_REFERENCES = [
    "otel-demo",
    "temporal-compose",
    "kafka-stack-full-stack",
    "netbox-docker",
    "airflow-docker-compose",
    "frappe-docker-pwd",
    "jaeger-docker-compose-monitor",
    "bitnami-bitnami-redis-cluster-8.8-debian-12",
]
# Keys whose value is a user, a database or a name: equal to a service name by coincidence.
NOT_A_HOST = re.compile(r"(USER|USERNAME|PASSWORD|PWD|DB|DATABASE|NAME|NAME_HEADER)$", re.IGNORECASE)


def run(name: str, mode: str, serve_names: str = "auto") -> Result:
    return translate(
        [str(CASES[name])],
        Options(discovery=mode, serve_names=serve_names),
        environ={},
        consistency=consistent(CASES[name]),
    )


def names_another_service(result: Result, container: str, key: str, value: str) -> bool:
    """An oracle independent of the translator's scanner: a host token equal to another
    workload's name, with a port, after ``://`` or ``@``, or alone."""
    own = next(w for w in result.project.workloads if any(c.name == container for c in w.containers))
    others = [e.name for w in result.project.workloads if w is not own for e in w.endpoints]
    for name in others:
        token = rf"(?<![\w.\-]){re.escape(name)}(?![\w\-]|\.\w)"
        if re.search(token + r":\d+", value) or re.search(r"(://|@)" + token, value):
            return True
        tokens = re.split(r"[\s,;]+", value.strip())
        if name in tokens and not NOT_A_HOST.search(key):
            return True
    return False


def ports_of(result: Result, name: str) -> set[int]:
    """Container ports of the workload reached under ``name`` (after any ports discovery registered)."""
    return {
        p.target
        for w in result.project.workloads
        if any(e.name == name for e in w.endpoints)
        for c in w.containers
        for p in c.ports
    }


@pytest.mark.parametrize("mode", DISCOVERY_MODES)
@pytest.mark.parametrize("name", WITH_REFERENCES)
def test_every_reference_rewritten_and_nothing_else(name: str, mode: str) -> None:
    result = run(name, mode)
    rendered = rendered_env(result, mode)  # also checks every template is well-formed
    hosts = host_names(result)
    values = source_values(result)
    # A port variable beside a bare host reference is rewritten with it: same prefix (REDIS_HOST +
    # REDIS_PORT), or the one *_PORT holding a port of the target the caller does not listen on.
    paired: set[tuple[str, str]] = set()
    for (task, key), value in values.items():
        if ":" in value or not names_another_service(result, task, key, value):
            continue
        prefix = re.sub(r"(HOST|HOSTNAME|HOST_NAME|SERVER|ADDR|ADDRESS|SEEDS)$", "", key)
        target_ports = ports_of(result, value.split()[0])
        own_ports = ports_of(result, task)
        by_value = [
            k
            for (t, k), v in values.items()
            if t == task
            and k.endswith("_PORT")
            and v.isdigit()
            and int(v) in target_ports
            and int(v) not in own_ports
        ]
        for (t, k), v in values.items():
            if t == task and v.isdigit() and (k.startswith(prefix + "PORT") and prefix != key):
                paired.add((t, k))
        if len(by_value) == 1 and not any(t == task and k.startswith(prefix + "PORT") for t, k in paired):
            paired.add((task, by_value[0]))
    for (task, key), original in values.items():
        expected = names_another_service(result, task, key, original) or (task, key) in paired
        now = rendered.get((task.lower(), key), rendered.get((task, key)))
        assert now is not None, f"{task}.{key} disappeared"
        if expected:
            assert now != original, f"{task}.{key}={original!r} was not rewritten"
        else:
            assert now == original, f"{task}.{key}={original!r} was changed to {now!r}"
        assert normalise(now, hosts) == normalise(original, hosts), (task, key)


def test_rewrite_counts_per_case() -> None:
    """The figures reported for the corpus (nomad mode); a change here is a change of behaviour."""
    counts = {n: sum(f.code == "D001" for f in run(n, "nomad").findings) for n in WITH_REFERENCES}
    assert counts == {
        "otel-demo": 76,
        "temporal-compose": 6,
        "kafka-stack-full-stack": 12,
        "netbox-docker": 9,
        "airflow-docker-compose": 23,
        "frappe-docker-pwd": 15,
        "jaeger-docker-compose-monitor": 1,
        "bitnami-bitnami-redis-cluster-8.8-debian-12": 6,
    }


def test_voting_app_warns_for_each_dependency_found_in_code_without_names_served() -> None:
    findings = run("voting-app", "nomad", serve_names="off").findings
    hidden = sorted(
        (f.subject, re.findall(r"depends on '([^']+)'", f.message)[0]) for f in findings if f.code == "D005"
    )
    assert hidden == [("result", "db"), ("vote", "redis"), ("worker", "db"), ("worker", "redis")]
    assert not [f for f in findings if f.code == "D001"]
