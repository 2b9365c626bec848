"""The namespace helper (tests/netns.py): isolated, removed whatever happens, hosts file private."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.netns import (
    A_ADDRESS,
    B_ADDRESS,
    NamespacePair,
    hosts_file,
    missing_privilege,
    namespace_pair,
    remove_stale,
)

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def namespaces() -> set[str]:
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=10, check=True)
    return {line.split(" ", 1)[0] for line in done.stdout.splitlines()}


def running(pid: int) -> bool:
    """Alive and not a zombie (a killed run's orphans are reaped by whoever adopts them, maybe late)."""
    try:
        status = Path("/proc", str(pid), "status").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.fixture
def privileged() -> None:
    reason = missing_privilege()
    if reason is not None:
        print(f"skipping: {reason}")
        pytest.skip(reason)


@pytest.fixture
def pair(privileged: None, tmp_path: Path) -> Iterator[NamespacePair]:
    with namespace_pair(tmp_path) as made:
        yield made


def test_hosts_file_lists_each_entry_as_address_then_name() -> None:
    text = hosts_file(["db:127.0.1.1", "v6:::1"])
    assert text.splitlines()[-2:] == ["127.0.1.1 db", "::1 v6"]
    assert "127.0.0.1 localhost" in text.splitlines()
    with pytest.raises(ValueError):
        hosts_file(["db"])
    with pytest.raises(ValueError):
        hosts_file(["db:not-an-address"])


def test_everything_is_removed_when_the_body_fails(privileged: None, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="body failed"), namespace_pair(tmp_path) as pair:
        made = {pair.a.name, pair.b.name}
        sleeper = pair.start(pair.b, SLEEPER, label="sleeper")
        assert made <= namespaces()
        raise RuntimeError("body failed")
    assert not made & namespaces()
    assert sleeper.popen.returncode is not None  # stopped and reaped


def test_the_pair_has_no_route_but_to_itself(pair: NamespacePair) -> None:
    # Route lookups only (nothing is sent): documentation addresses stand for anywhere else.
    for ns in (pair.a, pair.b):
        main = pair.run(ns, ["ip", "-4", "route", "show"]).stdout
        assert [line.split()[0] for line in main.splitlines()] == ["198.18.0.0/30"], main
        for elsewhere in ("192.0.2.1", "2001:db8::1"):
            done = pair.run(ns, ["ip", "route", "get", elsewhere])
            assert done.returncode != 0 and "unreachable" in done.stderr, (elsewhere, done)


def test_the_two_ends_reach_each_other(pair: NamespacePair) -> None:
    server = pair.start(
        pair.a, [sys.executable, "-m", "http.server", "--bind", A_ADDRESS, "23456"], label="http"
    )
    pair.wait_listening(pair.a, [("tcp", A_ADDRESS, 23456)], server)
    fetch = (
        f"import urllib.request; print(urllib.request.urlopen('http://{A_ADDRESS}:23456/', timeout=3).status)"
    )
    done = pair.run(pair.b, [sys.executable, "-c", fetch])
    assert done.stdout.strip() == "200", done.stderr
    assert pair.b.address == B_ADDRESS


def test_a_hosts_file_is_seen_by_the_command_only(pair: NamespacePair) -> None:
    before = Path("/etc/hosts").read_bytes()
    done = pair.run(pair.b, ["cat", "/etc/hosts"], hosts=hosts_file(["db:127.0.1.1"]))
    assert done.returncode == 0, done.stderr
    assert "127.0.1.1 db" in done.stdout.splitlines()
    assert Path("/etc/hosts").read_bytes() == before
    # Nor does it reach other commands in the same namespace.
    assert "127.0.1.1 db" not in pair.run(pair.b, ["cat", "/etc/hosts"]).stdout.splitlines()


# A run killed without unwinding: it prints its namespaces and its sleeper's id, then waits.
KILLED_RUN = r"""
import sys, time
from pathlib import Path
from tests.netns import namespace_pair
with namespace_pair(Path(sys.argv[1])) as pair:
    sleeper = pair.start(pair.a, [sys.executable, "-c", "import time; time.sleep(60)"], label="sleeper")
    print(pair.a.name, pair.b.name, sleeper.popen.pid, flush=True)
    time.sleep(60)
"""


def test_a_killed_runs_namespaces_and_processes_are_removed_by_the_next(
    privileged: None, tmp_path: Path
) -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(tmp_path)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None
        a, b, sleeper = run.stdout.readline().split()
        run.kill()
        run.wait(timeout=10)
        assert {a, b} <= namespaces()  # no finalizer ran

        assert set(remove_stale()) >= {a, b}

        assert not {a, b} & namespaces()
        assert not running(int(sleeper))
    finally:
        run.kill()
        run.wait(timeout=10)
        remove_stale()
