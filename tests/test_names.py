"""Names that stay as they are (translator/discovery/names.py): a name the application uses resolves
in its allocation through extra_hosts and a forwarder, in every discovery mode."""

from __future__ import annotations

import ipaddress
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import kubernetes_text
from tests.helpers import FIXTURES, consistent, parse_hcl
from translator.api import Result, translate
from translator.discovery.forwarder import FORWARDER_CONFIG, FORWARDER_IMAGE, FORWARDER_TASK
from translator.discovery.names import NAMESPACE_BOUND
from translator.nomad import Group, Task
from translator.options import DISCOVERY_MODES, Options

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
VOTING = SHARED / "compose" / "voting-app" / "docker-compose.yml"
CASES = sorted(p for p in (FIXTURES / "names").iterdir() if p.is_dir())
ENVIRON = {"HOME": "/home/user"}


def run(path: Path, **options: Any) -> Result:
    target = path / "compose.yaml" if (path / "compose.yaml").exists() else path
    return translate([str(target)], Options(**options), environ=ENVIRON)


def group(result: Result, name: str) -> Group:
    return next(g for job in result.jobs for g in job.groups if g.name == name)


def task(found: Group, name: str) -> Task:
    return next(t for t in found.tasks if t.name == name)


def hosts(found: Group) -> dict[str, str]:
    """name → address, as every docker task of the group has it (and they must agree)."""
    lists = {tuple(t.config.extra_hosts) for t in found.tasks if t.driver == "docker"}
    assert len(lists) == 1, lists  # the first task to start writes the hosts file: all say the same
    return dict(entry.split(":", 1) for entry in next(iter(lists)))


def listens(found: Group) -> list[str]:
    (template,) = task(found, FORWARDER_TASK).templates
    return re.findall(r"listen ([^;]+);", template.data)


# ----- fixtures, in all three modes -----


@pytest.mark.parametrize("mode", DISCOVERY_MODES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_names_snapshot(case: Path, mode: str, snapshot: Any) -> None:
    result = run(case, discovery=mode)
    prefix, relative = str(FIXTURES) + "/", os.path.relpath(FIXTURES) + "/"
    text = "\n".join(result.hcl.values()).replace(prefix, "").replace(relative, "")
    parse_hcl(text)
    assert text == snapshot(name="jobspec")
    assert [f.line().replace(prefix, "").replace(relative, "") for f in result.findings] == snapshot(
        name="findings"
    )


# ----- the voting app: every dependency lives in code -----


@pytest.mark.parametrize("mode", DISCOVERY_MODES)
def test_voting_app_reaches_redis_and_db_by_name(mode: str) -> None:
    result = translate([str(VOTING)], Options(discovery=mode), environ={}, consistency=consistent(VOTING))
    wanted = {"vote": {"redis": 6379}, "result": {"db": 5432}, "worker": {"redis": 6379, "db": 5432}}
    for client, targets in wanted.items():
        found = group(result, client)
        served = hosts(found)
        assert set(served) == set(targets)
        for name, port in targets.items():
            address = served[name]
            assert ipaddress.ip_address(address) in ipaddress.ip_network("127.0.0.0/8")
            assert address != "127.0.0.1"
            if mode == "connect":
                upstreams = [u for s in found.services if s.connect for u in s.connect.upstreams]
                assert any(
                    (u.destination_name, u.local_bind_address, u.local_bind_port) == (name, address, port)
                    for u in upstreams
                ), upstreams
                assert FORWARDER_TASK not in [t.name for t in found.tasks]  # Envoy is the forwarder
            else:
                assert f"{address}:{port}" in listens(found)
                function = "service" if mode == "consul" else "nomadService"
                assert f'with {function} "{name}"' in task(found, FORWARDER_TASK).templates[0].data
    codes = Counter(f.code for f in result.findings)
    assert codes["D005"] == 0 and codes["D010"] == 4
    # redis and db declare no port: their images' documented ports are registered
    assert sorted(f.subject for f in result.findings if f.code == "D012") == ["db", "redis"]


def test_forwarder_task_is_a_prestart_sidecar_reloaded_by_sighup() -> None:
    found = group(run(VOTING.parent / "docker-compose.yml"), "worker")
    forwarder = task(found, FORWARDER_TASK)
    assert forwarder.config.image == FORWARDER_IMAGE
    assert forwarder.lifecycle is not None and forwarder.lifecycle.hook == "prestart"
    assert forwarder.lifecycle.sidecar
    (template,) = forwarder.templates
    assert template.destination == FORWARDER_CONFIG and "/" + FORWARDER_CONFIG in (
        forwarder.config.args or []
    )
    # Nomad refuses env = true with change_mode signal, and signal without change_signal
    assert (template.env, template.change_mode, template.change_signal) == (False, "signal", "SIGHUP")


def test_provider_consul_forwards_through_consul_lookups() -> None:
    found = group(run(VOTING.parent / "docker-compose.yml", provider="consul"), "vote")
    data = task(found, FORWARDER_TASK).templates[0].data
    assert 'with service "redis"' in data and "nomadService" not in data


# ----- what each option serves -----


def test_serve_names_off_keeps_the_hidden_dependency_warning() -> None:
    result = run(VOTING.parent / "docker-compose.yml", serve_names="off")
    assert not [t for job in result.jobs for g in job.groups for t in g.tasks if t.config.extra_hosts]
    assert not [t for job in result.jobs for g in job.groups for t in g.tasks if t.name == FORWARDER_TASK]
    assert Counter(f.code for f in result.findings)["D005"] == 4


def test_serve_names_all_rewrites_nothing_and_serves_every_reference() -> None:
    case = FIXTURES / "discovery" / "host-port-pairs"
    rewritten = run(case)
    served = run(case, serve_names="all")
    assert any(f.code == "D001" for f in rewritten.findings)
    assert not any(f.code == "D001" for f in served.findings)
    for workload in served.project.workloads:
        for container in workload.containers:
            placed = group(served, workload.name.lower())
            for var in container.environment:
                if var.runtime is None and var.secret is None:  # every value arrives as written
                    assert placed.tasks[0].env.get(var.name) == var.value, var.name
    assert any(f.code == "D010" for f in served.findings)


def test_names_in_a_carried_file_are_served() -> None:
    found = group(run(FIXTURES / "names" / "carried-file"), "web")
    assert set(hosts(found)) == {"api"}
    assert listens(found) == [f"{hosts(found)['api']}:8000"]


def test_udp_ports_listen_for_udp_and_a_port_the_client_holds_is_a_warning() -> None:
    for mode in ("nomad", "connect"):  # Envoy upstreams are TCP only: UDP stays on nginx
        result = run(FIXTURES / "names" / "udp-and-clash", discovery=mode)
        found = group(result, "replica")
        address = hosts(found)["resolver"]
        assert f"{address}:53 udp" in listens(found)
        assert "primary" not in hosts(found)  # replica listens on 5432 itself
        assert any(f.code == "D011" and "'primary'" in f.message for f in result.findings)
        if mode == "connect":
            assert any(f.code == "D014" for f in result.findings)


def test_host_network_client_and_portless_target_are_warnings() -> None:
    result = run(FIXTURES / "names" / "host-client")
    warnings = {(f.subject, f.code) for f in result.findings if f.code == "D011"}
    assert warnings == {("agent", "D011"), ("app", "D011")}
    assert not group(result, "agent").tasks[0].config.extra_hosts


def test_kubernetes_services_of_the_namespace_in_every_dns_form() -> None:
    result = run(FIXTURES / "names" / "kubernetes-code" / "app.yaml")
    web = group(result, "web")
    served = hosts(web)
    assert set(served) == {"api", "api.shop", "api.shop.svc", "api.shop.svc.cluster.local"}
    # the Service's port (80), forwarded to the instances registered for its targetPort
    assert listens(web) == [f"{served['api']}:80"]
    # metrics is in another namespace: only reachable there by name when a value names it
    assert not any("metrics" in h for h in served)


def test_kubernetes_namespace_bound() -> None:
    text = kubernetes_text(NAMESPACE_BOUND + 1)
    result = translate(["-"], Options(), stdin_text=text, source="kubernetes")
    assert [f.code for f in result.findings].count("D013") == 1
    assert not [t for job in result.jobs for g in job.groups for t in g.tasks if t.config.extra_hosts]
    small = translate(["-"], Options(), stdin_text=kubernetes_text(3), source="kubernetes")
    assert all(len(hosts(job.groups[0])) == 2 * 4 for job in small.jobs)  # two other Services, 4 forms


def test_addresses_are_deterministic() -> None:
    first = run(FIXTURES / "names" / "kubernetes-code" / "app.yaml").hcl
    again = run(FIXTURES / "names" / "kubernetes-code" / "app.yaml").hcl
    assert first == again


def test_statefulset_pods_by_name_lead_to_their_instance() -> None:
    result = run(FIXTURES / "names" / "statefulset" / "app.yaml")
    app = group(result, "app")
    served = hosts(app)
    assert served["db-0.db.data.svc.cluster.local"] == served["db-0.db"] != served["db-1.db"] != served["db"]
    data = task(app, FORWARDER_TASK).templates[0].data
    assert 'with nomadService "pod-0.db" }' in data and 'with nomadService "pod-1.db" }' in data
    # each instance registers its allocation index, which Nomad interpolates on the client
    (registration,) = [s for s in group(result, "db").services if s.name == "db"]
    assert [str(tag) for tag in registration.tags] == ["pod-${NOMAD_ALLOC_INDEX}"]
    assert 'tags     = ["pod-${NOMAD_ALLOC_INDEX}"]' in result.hcl["db"]
    # the Pods themselves listen on the port their peers use: a forwarder cannot share it
    peers = [f for f in result.findings if f.code == "D011" and f.subject == "db"]
    assert len(peers) == 2 and all("listens on port 7000 itself" in f.message for f in peers)


def test_a_protocol_no_forwarder_carries_is_a_warning() -> None:
    text = (
        "services:\n  app:\n    image: example/app\n    depends_on: [sig]\n"
        "  sig:\n    image: example/sig\n    expose: ['3868/sctp']\n"
    )
    result = translate(["-"], Options(), stdin_text=text, environ={})
    assert [f.code for f in result.findings if f.code in ("D010", "D011")] == ["D011"]
    assert "sctp" in next(f.message for f in result.findings if f.code == "D011")
    assert not group(result, "app").tasks[0].config.extra_hosts


def test_statefulset_pod_names_are_bounded() -> None:
    text = (FIXTURES / "names" / "statefulset" / "app.yaml").read_text(encoding="utf-8")
    result = translate(
        ["-"], Options(), stdin_text=text.replace("replicas: 2", "replicas: 20"), source="kubernetes"
    )
    served = hosts(group(result, "app"))
    assert "db-15.db" in served and "db-16.db" not in served
    assert any(f.code == "D013" and "20 replicas" in f.message for f in result.findings)


def test_every_task_carries_the_source_extra_hosts_and_the_names() -> None:
    text = (
        "services:\n  app:\n    image: example/app\n    extra_hosts: ['ldap=10.0.0.5']\n"
        "    depends_on: [db]\n"
        "  sidecar:\n    image: example/sidecar\n    network_mode: service:app\n"
        "    extra_hosts: ['ldap=10.0.0.6', 'metrics=10.0.0.7']\n"
        "  db:\n    image: postgres:16\n"
    )
    result = translate(["-"], Options(), stdin_text=text, environ={})
    app = group(result, "app")
    # the wait task and the forwarder start first and write the allocation's hosts file
    assert [t.name for t in app.tasks] == ["app", "sidecar", FORWARDER_TASK, "wait-for-db"]
    served = hosts(app)  # every docker task has the same list
    assert served["ldap"] == "10.0.0.5" and served["metrics"] == "10.0.0.7"
    assert served["db"].startswith("127.0.1.")
    assert [f.code for f in result.findings if f.code == "P018"] == ["P018"]  # ldap: the first wins


def test_a_name_the_source_maps_itself_keeps_the_source_address() -> None:
    text = (
        "services:\n  app:\n    image: example/app\n    extra_hosts: ['db=10.0.0.9']\n"
        "    depends_on: [db]\n  db:\n    image: postgres:16\n"
    )
    result = translate(["-"], Options(), stdin_text=text, environ={})
    app = group(result, "app")
    assert hosts(app)["db"] == "10.0.0.9"
    assert not [w for w in app.wiring if w.kind == "name" and w.name == "db"]
    assert any(f.code == "D011" and "the source's entry is kept" in f.message for f in result.findings)
