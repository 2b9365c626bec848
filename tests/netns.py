"""Network namespaces for end-to-end tests on this machine's kernel.

``namespace_pair()`` makes two fresh network namespaces, ``a`` and ``b``, joined by a veth pair with
198.18.0.1/30 in ``a`` and 198.18.0.2/30 in ``b``. That range is set aside for benchmarks (RFC 2544) and
exists here only inside the two namespaces, which have no other interface than ``lo`` and no route
anywhere else: whatever runs in them can reach loopback and the other namespace, nothing more.

Processes started in a namespace, the namespaces and the veth pair are removed when the context exits,
whatever happened (an ``atexit`` hook covers an interpreter that stops without unwinding; what a run
killed outright leaves, the next run removes: ``remove_stale``). Commands can
run in a private mount namespace with a hosts file of their own bind-mounted over /etc/hosts, as Nomad
gives each task of a bridge-mode allocation; the host's /etc/hosts is never touched.

Every wait here is bounded.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import ipaddress
import os
import re
import secrets
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

A_ADDRESS = "198.18.0.1"
B_ADDRESS = "198.18.0.2"
PREFIX_LENGTH = 30

# Bits of CapEff (linux/capability.h). Adding a namespace needs both: CAP_SYS_ADMIN to unshare and to
# bind-mount it under /run/netns (and for ``unshare -m``, ``mount --bind``), CAP_NET_ADMIN for links
# and addresses.
_CAP_NET_ADMIN = 12
_CAP_SYS_ADMIN = 21

_PREFIX = "translate"
_STALE = re.compile(rf"{_PREFIX}-(?P<owner>\d+)-[0-9a-f]{{8}}-[ab]")

COMMAND_TIMEOUT = 10.0  # one ``ip`` call, or a command run to completion
STOP_TIMEOUT = 5.0  # from SIGTERM to SIGKILL


def missing_privilege() -> str | None:
    """Why this process cannot make network namespaces, or None when it can.

    Read from the effective capability set rather than the user id: root without CAP_NET_ADMIN (a
    container's default) cannot. With both capabilities, any failure later is a failure, not a skip.
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError as exc:
        return f"cannot read /proc/self/status to check capabilities: {exc}"
    effective = next((line.split()[1] for line in status.splitlines() if line.startswith("CapEff:")), None)
    if effective is None:
        return "/proc/self/status has no CapEff line"
    bits = int(effective, 16)
    missing = [
        name
        for name, bit in (("CAP_NET_ADMIN", _CAP_NET_ADMIN), ("CAP_SYS_ADMIN", _CAP_SYS_ADMIN))
        if not bits >> bit & 1
    ]
    if missing:
        return f"network namespace tests need {' and '.join(missing)} (CapEff {effective})"
    return None


def hosts_file(extra_hosts: Iterable[str]) -> str:
    """The /etc/hosts a task sees: localhost, then each ``name:ip`` of ``extra_hosts`` as ``ip name``.

    Split at the first colon, as Docker does: a name holds none, an IPv6 address does.
    """
    lines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"]
    for entry in extra_hosts:
        name, sep, address = entry.partition(":")
        if not sep or not name:
            raise ValueError(f"extra_hosts entry {entry!r} is not name:ip")
        lines.append(f"{ipaddress.ip_address(address)} {name}")
    return "\n".join(lines) + "\n"


def _ip(*args: str) -> None:
    """Run ``ip`` with ``args``; its error message in the exception when it fails."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)


@dataclass(frozen=True)
class Namespace:
    name: str
    address: str  # this namespace's end of the veth pair
    device: str

    def argv(self, command: Sequence[str]) -> list[str]:
        """``command`` run inside this namespace."""
        return ["ip", "netns", "exec", self.name, *command]


@dataclass
class Process:
    """A process started in a namespace; its stdout and stderr go to ``log``.

    It leads a session of its own, so stopping it signals its process group, children included (nginx's
    workers). Liveness is read with ``WNOWAIT``: the process stays unreaped, so its id, which is also the
    group's, cannot be reused before ``stop`` has signalled the group for the last time.
    """

    label: str
    popen: subprocess.Popen[bytes]
    log: Path

    def exited(self) -> bool:
        try:
            info = os.waitid(os.P_PID, self.popen.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # reaped already
            return True
        return info is not None

    def send_signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the process itself (not its group), which must still be running."""
        if self.exited():
            raise RuntimeError(f"{self.label} has exited:\n{self.output()}")
        os.kill(self.popen.pid, sig)

    def output(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self) -> int | None:
        """Stop the process and its group (SIGTERM, then SIGKILL); its exit status."""
        if self.popen.returncode is not None:
            return self.popen.returncode
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            with contextlib.suppress(TimeoutError):
                _wait_until(self.exited, STOP_TIMEOUT, f"{self.label} stopping")
                # Children may outlive the leader; the group id is still reserved by the unreaped leader.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                break
        try:
            return self.popen.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None


@dataclass
class NamespacePair:
    a: Namespace
    b: Namespace
    workdir: Path
    processes: list[Process] = field(default_factory=list)
    made: list[Namespace] = field(default_factory=list)  # namespaces that exist, to delete
    _files: int = 0

    def _command(self, ns: Namespace, command: Sequence[str], hosts: str | None) -> list[str]:
        if hosts is None:
            return ns.argv(command)
        self._files += 1
        path = self.workdir / f"hosts.{self._files}"
        path.write_text(hosts, encoding="utf-8")
        # ``unshare -m`` makes mounts private by default, so the bind mount ends with the command and
        # never reaches the host (``ip netns exec`` makes a mount namespace too, but shares /etc with it).
        script = 'mount --bind -- "$1" /etc/hosts && shift && exec "$@"'
        return ns.argv(
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--",
                "/bin/sh",
                "-c",
                script,
                "sh",
                str(path),
                *command,
            ]
        )

    def start(
        self, ns: Namespace, command: Sequence[str], *, label: str, hosts: str | None = None
    ) -> Process:
        """Start ``command`` in ``ns`` (with ``hosts`` as its /etc/hosts, if given); stopped on exit."""
        log = self.workdir / f"{label}.log"
        with log.open("wb") as sink:
            popen = subprocess.Popen(
                self._command(ns, command, hosts),
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(label, popen, log)
        self.processes.append(process)
        return process

    def run(
        self,
        ns: Namespace,
        command: Sequence[str],
        *,
        hosts: str | None = None,
        timeout: float = COMMAND_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``command`` in ``ns`` to completion (killed, with its group, after ``timeout``)."""
        argv = self._command(ns, command, hosts)
        popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            out, err = popen.communicate(timeout=STOP_TIMEOUT)
            raise TimeoutError(
                f"{' '.join(command)} in {ns.name}: not done in {timeout:g} s\n{err}"
            ) from None
        return subprocess.CompletedProcess(argv, popen.returncode, out, err)

    def listening(self, ns: Namespace) -> set[tuple[str, str, int]]:
        """(``tcp``/``udp``, address, port) of every listening socket in ``ns``."""
        done = self.run(ns, ["ss", "--no-header", "--listening", "--numeric", "--tcp", "--udp"])
        if done.returncode != 0:
            raise RuntimeError(f"ss in {ns.name} failed: {done.stderr.strip()}")
        found = set()
        for line in done.stdout.splitlines():
            fields = line.split()
            address, _, port = fields[4].rpartition(":")
            found.add((fields[0], address.strip("[]"), int(port)))
        return found

    def wait_listening(
        self, ns: Namespace, sockets: Iterable[tuple[str, str, int]], process: Process, timeout: float = 5.0
    ) -> None:
        """Wait until every socket of ``sockets`` listens in ``ns``; fail at once if ``process`` exits."""
        wanted = set(sockets)

        def ready() -> bool:
            if process.exited():
                raise RuntimeError(f"{process.label} exited before listening:\n{process.output()}")
            return wanted <= self.listening(ns)

        try:
            _wait_until(ready, timeout, f"{process.label} listening on {sorted(wanted)} in {ns.name}")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}\n{process.output()}") from None

    def close(self) -> None:
        """Stop every process started here (newest first), then delete the namespaces made. Idempotent."""
        while self.processes:
            self.processes.pop().stop()
        errors = []
        # Deleting a namespace deletes the veth end in it, and with it the pair.
        while self.made:
            ns = self.made.pop()
            try:
                _ip("netns", "delete", ns.name)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                errors.append(str(exc))
        if errors:
            raise RuntimeError("; ".join(errors))


@contextlib.contextmanager
def namespace_pair(workdir: Path) -> Iterator[NamespacePair]:
    """Two new network namespaces joined by a veth pair; removed on exit. Logs and files go in ``workdir``."""
    remove_stale()
    tag = secrets.token_hex(4)
    # Unique, so parallel runs never collide; the owner's process id tells remove_stale whose they
    # are. Interface names stay within the kernel's 15 characters.
    a = Namespace(f"{_PREFIX}-{os.getpid()}-{tag}-a", A_ADDRESS, f"tr{tag}a")
    b = Namespace(f"{_PREFIX}-{os.getpid()}-{tag}-b", B_ADDRESS, f"tr{tag}b")
    pair = NamespacePair(a, b, workdir)
    # Also at interpreter exit, for a run stopped without unwinding (a second Ctrl-C).
    atexit.register(pair.close)
    try:
        for ns in (a, b):
            _ip("netns", "add", ns.name)
            pair.made.append(ns)
        # Made straight inside the namespaces: the names never exist in the caller's namespace.
        _ip(
            "link",
            "add",
            a.device,
            "netns",
            a.name,
            "type",
            "veth",
            "peer",
            "name",
            b.device,
            "netns",
            b.name,
        )
        for ns in (a, b):
            _ip("-n", ns.name, "address", "add", f"{ns.address}/{PREFIX_LENGTH}", "dev", ns.device)
            _ip("-n", ns.name, "link", "set", "lo", "up")
            _ip("-n", ns.name, "link", "set", ns.device, "up")
        for ns in (a, b):
            _wait_until(functools.partial(_carrier, ns), 5.0, f"veth {ns.device} in {ns.name} up")
        yield pair
    finally:
        try:
            pair.close()
        finally:
            atexit.unregister(pair.close)


def remove_stale() -> list[str]:
    """Delete the namespaces of runs that were killed (SIGKILL, no finalizer ran), with the processes
    still inside them; the names removed.

    Only names of this module's pattern whose owning process is gone: a live run's are left alone.
    """
    done = subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    removed = []
    for line in done.stdout.splitlines():
        found = _STALE.fullmatch(line.split(" ", 1)[0])
        if found is None or Path("/proc", found["owner"]).exists():
            continue
        name = found[0]
        pids = subprocess.run(
            ["ip", "netns", "pids", name],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        for pid in pids.stdout.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        _ip("netns", "delete", name)
        removed.append(name)
    return removed


def _carrier(ns: Namespace) -> bool:
    done = subprocess.run(
        ["ip", "-n", ns.name, "-oneline", "link", "show", "dev", ns.device],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    return "LOWER_UP" in done.stdout and "NO-CARRIER" not in done.stdout
