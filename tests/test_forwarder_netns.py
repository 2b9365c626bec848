"""End to end: a name the application uses resolves inside the allocation and leads to its target.

The tool translates a small Compose project; its forwarder template is rendered as Nomad would
(tests/gotemplate.py) for the instances each test registers. Namespace ``a`` stands for the Nomad
clients the targets run on: small servers on "dynamic" ports of its veth address. Namespace ``b``
stands for the client's allocation: real nginx with the rendered config, and a client whose
/etc/hosts holds the tasks' ``extra_hosts``, resolving names with getaddrinfo as the application
would. Nothing leaves the two namespaces (see tests/netns.py).
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import gotemplate
from tests.netns import A_ADDRESS, NamespacePair, Process, hosts_file, missing_privilege, namespace_pair
from translator.api import translate
from translator.discovery.forwarder import FORWARDER_TASK

# Configs are rendered with Go's text/template, compiled once per session (tests/gotemplate.py).
pytestmark = pytest.mark.usefixtures("go_renderer")

# The official nginx image has the stream module built in, so the tool's config does not load it (there
# it would fail: the module is already loaded). Debian builds it as a dynamic module.
LOAD_STREAM = "load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n"

DB_PORT, DNS_PORT, DB2_PORT, CACHE_PORT = 23456, 23457, 23458, 23459

# The application reaches db over TCP, dns over UDP and cache over TCP, by name only: no value names
# them, so the tool serves each name in app's allocation (--serve-names auto).
COMPOSE = """\
services:
  app:
    image: example/app:1
    depends_on: [db, dns, cache]
  db:
    image: postgres:16
    expose: ["5432"]
  dns:
    image: example/resolver:1
    expose: ["53/udp"]
  cache:
    image: redis:7
    expose: ["6379"]
"""


@dataclass(frozen=True)
class Forwarder:
    """What the tool gives app's allocation: the forwarder's config template and the hosts entries."""

    template: str
    extra_hosts: list[str]

    def address(self, name: str) -> str:
        return dict(entry.split(":", 1) for entry in self.extra_hosts)[name]


@functools.cache
def tool_forwarder() -> Forwarder:
    result = translate(["-"], stdin_text=COMPOSE, project_name="names", environ={})
    (app,) = [group for job in result.jobs for group in job.groups if group.name == "app"]
    lists = {tuple(task.config.extra_hosts) for task in app.tasks if task.driver == "docker"}
    # Nomad writes the allocation's hosts file from the first task to start: all must agree.
    assert len(lists) == 1, lists
    (forwarder,) = [task for task in app.tasks if task.name == FORWARDER_TASK]
    (template,) = forwarder.templates
    return Forwarder(template.data, list(next(iter(lists))))


def render(instances: Mapping[str, Sequence[tuple[str, int]]]) -> str:
    """The forwarder's config as Nomad renders it while ``instances`` are registered (every target:
    an empty list is a service with no instance)."""
    done = gotemplate.render(
        tool_forwarder().template,
        nomad={name: [{"Address": a, "Port": p} for a, p in found] for name, found in instances.items()},
    )
    assert done.error == "", done.error
    assert not done.missing, done.missing  # every service the template looks up is given
    return done.output


def listens(config: str) -> list[tuple[str, str, int]]:
    """(protocol, address, port) of every listen directive of a rendered config."""
    found = re.findall(r"listen (\S+):(\d+)( udp)?;", config)
    return [("udp" if udp else "tcp", address, int(port)) for address, port, udp in found]


A = A_ADDRESS  # where the instances listen
ONE_EACH = {"db": [(A, DB_PORT)], "dns": [(A, DNS_PORT)], "cache": []}
TWO_DB = {"db": [(A, DB_PORT), (A, DB2_PORT)], "dns": [], "cache": []}
NONE: dict[str, list[tuple[str, int]]] = {"db": [], "dns": [], "cache": []}
IPV6 = {"db": [("2001:db8::10", DB_PORT)], "dns": [("2001:db8::11", DNS_PORT)], "cache": []}


# A target's instance: answers "<answer> <what it received>", so a probe shows who answered and that
# its payload got through.
BACKEND = r"""
import socket, sys
proto, host, port, answer = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode()
if proto == "tcp":
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(3)
            try:
                conn.sendall(answer + b" " + conn.recv(4096))
            except OSError:
                pass
else:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((host, port))
    while True:
        data, peer = server.recvfrom(4096)
        server.sendto(answer + b" " + data, peer)
"""

# The application: each probe resolves a name through /etc/hosts, connects, sends a payload and reads
# the answer (TCP: to the end of the stream; UDP: one datagram). Prints one JSON result per probe.
CLIENT = r"""
import errno, ipaddress, json, socket, sys
results = []
for probe in json.loads(sys.argv[1]):
    kind = socket.SOCK_STREAM if probe["proto"] == "tcp" else socket.SOCK_DGRAM
    result = {}
    try:
        family, _, _, _, address = socket.getaddrinfo(probe["name"], probe["port"], type=kind)[0]
        result["address"] = address[0]
        # A name that resolved elsewhere is a failure, and nothing is sent to it.
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise RuntimeError(f"{probe['name']} resolved to {address[0]}, not a loopback address")
        with socket.socket(family, kind) as sock:
            sock.settimeout(3)
            sock.connect(address)
            sock.sendall(probe["payload"].encode())
            if kind == socket.SOCK_STREAM:
                chunks = []
                while chunk := sock.recv(4096):
                    chunks.append(chunk)
                data = b"".join(chunks)
            else:
                data = sock.recv(4096)
        result["answer"] = data.decode()
    except OSError as exc:
        result["error"] = errno.errorcode.get(exc.errno or 0) or type(exc).__name__
    results.append(result)
print(json.dumps(results))
"""


# What a resolver may need through the forwarder: new-port UDP queries a second.
QUERIES_PER_SECOND = 50

# A resolver's way: every query from a new socket (a new source port), one answer awaited briefly.
# Prints how many queries were answered before the first that was not.
UDP_QUERIES = r"""
import socket, sys
name, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
address = socket.getaddrinfo(name, port, type=socket.SOCK_DGRAM)[0][4]
answered = 0
for i in range(count):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        sock.connect(address)
        sock.send(b"query %d" % i)
        try:
            sock.recv(4096)
        except OSError:
            break
    answered += 1
print(answered)
"""


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[NamespacePair]:
    reason = missing_privilege()
    if reason is not None:
        print(f"skipping: {reason}")
        pytest.skip(reason)
    for tool in ("ip", "unshare", "ss", "nginx"):
        # Missing tools fail: CI installs them (.ci/run).
        assert shutil.which(tool), f"{tool} is not installed (Debian: iproute2, util-linux, nginx)"
    with namespace_pair(tmp_path) as made:
        yield made


def with_stream_module(config: str) -> str:
    return LOAD_STREAM + config


def nginx_argv(config: Path, *, foreground: bool = False) -> list[str]:
    # -e: nginx opens its built-in error log before reading the config; stderr keeps it off /var/log.
    # The pid file goes beside the config, as the config names none. "daemon off" keeps nginx in the
    # foreground, where it is stopped with its workers. (nginx reads only the last -g.)
    directives = f"pid {config.parent / 'nginx.pid'};" + (" daemon off;" if foreground else "")
    return ["nginx", "-e", "stderr", "-c", str(config), "-g", directives]


def start_backend(pair: NamespacePair, proto: str, port: int, answer: str) -> Process:
    backend = pair.start(
        pair.a, [sys.executable, "-c", BACKEND, proto, pair.a.address, str(port), answer], label=answer
    )
    pair.wait_listening(pair.a, [(proto, pair.a.address, port)], backend)
    return backend


def start_forwarder(pair: NamespacePair, config: str) -> Process:
    """nginx in b with ``config``, once it listens on every address the config names."""
    path = pair.workdir / "nginx.conf"
    path.write_text(with_stream_module(config), encoding="utf-8")
    nginx = pair.start(pair.b, nginx_argv(path, foreground=True), label="nginx")
    pair.wait_listening(pair.b, listens(config), nginx)
    return nginx


def reload_forwarder(pair: NamespacePair, nginx: Process, config: str) -> None:
    """A new config and SIGHUP, as Nomad's template does (change_mode "signal")."""
    (pair.workdir / "nginx.conf").write_text(with_stream_module(config), encoding="utf-8")
    nginx.send_signal(signal.SIGHUP)
    pair.wait_listening(pair.b, listens(config), nginx)


def probe(pair: NamespacePair, probes: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Run the client in b with the tasks' /etc/hosts; a result per probe."""
    done = pair.run(
        pair.b,
        [sys.executable, "-c", CLIENT, json.dumps(probes)],
        hosts=hosts_file(tool_forwarder().extra_hosts),
        timeout=20,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, str]] = json.loads(done.stdout)
    return results


DB = {"name": "db", "port": 5432, "proto": "tcp", "payload": "select 1"}
DNS = {"name": "dns", "port": 53, "proto": "udp", "payload": "query"}
CACHE = {"name": "cache", "port": 6379, "proto": "tcp", "payload": "PING"}


def test_names_reach_their_targets_and_a_target_without_instances_is_refused(pair: NamespacePair) -> None:
    start_backend(pair, "tcp", DB_PORT, "db-instance")
    start_backend(pair, "udp", DNS_PORT, "dns-instance")
    nginx = start_forwarder(pair, render(ONE_EACH))

    db, dns, cache = probe(pair, [DB, DNS, CACHE])

    tool = tool_forwarder()
    assert db == {"address": tool.address("db"), "answer": "db-instance select 1"}, nginx.output()
    assert dns == {"address": tool.address("dns"), "answer": "dns-instance query"}, nginx.output()
    # No server block for cache: nothing listens on its address, the connection is refused at once.
    assert cache == {"address": tool.address("cache"), "error": "ECONNREFUSED"}


def test_instances_are_balanced(pair: NamespacePair) -> None:
    start_backend(pair, "tcp", DB_PORT, "db-1")
    start_backend(pair, "tcp", DB2_PORT, "db-2")
    nginx = start_forwarder(pair, render(TWO_DB))

    results = probe(pair, [{**DB, "payload": "hello"}] * 6)

    answers = [result.get("answer", result.get("error")) for result in results]
    assert set(answers) == {"db-1 hello", "db-2 hello"}, (answers, nginx.output())


def test_without_instances_nginx_stays_up_and_every_name_is_refused(pair: NamespacePair) -> None:
    # The sidecar must keep running while no target has an instance: an empty stream block is valid.
    config = render(NONE)
    assert listens(config) == []
    nginx = start_forwarder(pair, config)

    results = probe(pair, [DB, CACHE])

    assert [result.get("error") for result in results] == ["ECONNREFUSED", "ECONNREFUSED"]
    assert not nginx.exited(), nginx.output()


def test_a_target_that_gains_an_instance_is_reached_after_sighup(pair: NamespacePair) -> None:
    start_backend(pair, "tcp", DB_PORT, "db-instance")
    start_backend(pair, "tcp", CACHE_PORT, "cache-instance")
    nginx = start_forwarder(pair, render(ONE_EACH))
    assert probe(pair, [CACHE])[0].get("error") == "ECONNREFUSED"

    reload_forwarder(pair, nginx, render({**ONE_EACH, "cache": [(A, CACHE_PORT)]}))
    db, cache = probe(pair, [DB, CACHE])

    assert cache.get("answer") == "cache-instance PING", (cache, nginx.output())
    assert db.get("answer") == "db-instance select 1", (db, nginx.output())
    assert not nginx.exited(), nginx.output()


def test_a_resolver_making_new_port_queries_for_a_whole_session_timeout_is_answered(
    pair: NamespacePair,
) -> None:
    # A resolver sends each query from a new port, and nginx keeps each such UDP "session" (two of
    # the worker's connections) until it has been idle for proxy_timeout. The forwarder must carry
    # QUERIES_PER_SECOND through a whole timeout's worth of sessions held at once.
    config = render(ONE_EACH)
    timeout = re.search(r"proxy_timeout (\d+)s;", config)
    # nginx's default proxy_timeout is 10 minutes.
    count = QUERIES_PER_SECOND * (int(timeout[1]) if timeout else 600)
    start_backend(pair, "udp", DNS_PORT, "dns-instance")
    start_forwarder(pair, config)

    done = pair.run(
        pair.b,
        [sys.executable, "-c", UDP_QUERIES, "dns", "53", str(count)],
        hosts=hosts_file(tool_forwarder().extra_hosts),
    )

    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == count


@pytest.mark.parametrize(
    "instances", [ONE_EACH, TWO_DB, NONE, IPV6], ids=["one-each", "two-db", "none", "ipv6"]
)
def test_rendered_config_passes_nginx_t(instances: dict[str, list[tuple[str, int]]], tmp_path: Path) -> None:
    assert shutil.which("nginx"), "nginx is not installed (Debian: nginx, libnginx-mod-stream)"
    path = tmp_path / "nginx.conf"
    path.write_text(with_stream_module(render(instances)), encoding="utf-8")
    done = subprocess.run([*nginx_argv(path), "-t"], capture_output=True, text=True, timeout=10, check=False)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
