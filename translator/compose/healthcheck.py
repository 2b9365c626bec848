"""Compose ``healthcheck`` → a neutral ``HealthCheck``: the common probe commands become native checks.

Docker runs the test inside the container. Nomad and Consul check from outside, against the
address the service registers, so a command is turned into an ``http`` or ``tcp`` check only
when it asks the container itself (``localhost``, ``127.0.0.1``, ``0.0.0.0``, ``::1``) on a
known port, and only when the whole command is understood: an unknown option could change
what the command tests. Anything else stays a command (``script``), which only Consul runs.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from translator.compose.normalize import parse_duration
from translator.model import HealthCheck
from translator.records import record
from translator.source import Position
from translator.yamlsource import YamlMap

# Compose's defaults for an unset field (compose-spec 05-services.md, Docker's own defaults).
DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "::"})
SCHEME_PORTS = {"http": 80, "https": 443}


@record
class Parsed:
    """What a healthcheck section holds: a check, or None with the reason there is none."""

    check: HealthCheck | None
    disabled: bool = False  # test NONE or disable: true
    inherited: bool = False  # no test: the image's HEALTHCHECK applies, which the file does not show


def parse_healthcheck(section: YamlMap) -> Parsed:
    """A normalised ``healthcheck`` mapping (``test`` is a list, durations are Go text)."""
    if section.get("disable") is True:
        return Parsed(None, disabled=True)
    test = section.get("test")
    if not isinstance(test, list) or not test:
        return Parsed(None, inherited=True)
    words = [str(word) for word in test]
    position = section.where("test") if "test" in section else section.pos
    if words[0] == "NONE":
        return Parsed(None, disabled=True)
    if words[0] == "CMD-SHELL":
        text = " ".join(words[1:])
        check = recognise_shell(text, position) or HealthCheck(
            "script", position, command=["/bin/sh", "-c", text], source=text
        )
    else:
        argv = words[1:] if words[0] == "CMD" else words
        check = recognise_argv(argv, position) or HealthCheck(
            "script", position, command=argv, source=shlex.join(argv)
        )
    _timing(check, section)
    return Parsed(check)


def _timing(check: HealthCheck, section: YamlMap) -> None:
    check.interval = _seconds(section.get("interval"), DEFAULT_INTERVAL)
    check.timeout = _seconds(section.get("timeout"), DEFAULT_TIMEOUT)
    check.grace = _seconds(section.get("start_period"), 0.0)
    retries = section.get("retries")
    check.limit = retries if isinstance(retries, int) and not isinstance(retries, bool) else DEFAULT_RETRIES


def _seconds(value: Any, default: float) -> float:
    if value is None:
        return default
    nanoseconds = parse_duration(str(value))
    return default if nanoseconds is None else nanoseconds / 10**9


# ----- shell text -----

_EXIT_SUFFIXES = (("||", "exit", "1"), ("||", "exit"), ("||", "false"))


def _shell_tokens(text: str) -> list[str] | None:
    """Shell words and operators of ``text``, without a trailing ``|| exit 1``; None if unbalanced."""
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|<>()")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return None
    for suffix in _EXIT_SUFFIXES:
        if tuple(tokens[-len(suffix) :]) == suffix:
            return tokens[: -len(suffix)]
    return tokens


def recognise_shell(text: str, position: Position) -> HealthCheck | None:
    """A ``CMD-SHELL`` string that is one simple command (``|| exit 1`` allowed), or ``echo | nc``."""
    tokens = _shell_tokens(text)
    if tokens is None:
        return None
    # ``echo | nc host port``: the echo only closes nc's input.
    if "|" in tokens and tokens[0] == "echo":
        tokens = tokens[tokens.index("|") + 1 :]
    if not tokens or any(_operator(t) for t in tokens):
        return None
    check = recognise_argv(tokens, position)
    if check is not None:
        check.source = text
    return check


def _operator(token: str) -> bool:
    return bool(token) and all(c in ";&|<>()" for c in token)


# ----- argv -----


def recognise_argv(argv: list[str], position: Position) -> HealthCheck | None:
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    recogniser = RECOGNISERS.get(program)
    check = recogniser(argv[1:], position) if recogniser else None
    if check is not None and not check.source:
        check.source = shlex.join(argv)
    return check


class _Options:
    """Walks an argument list: known flags, options with a value (``-X v``, ``-Xv``, ``--x=v``)."""

    def __init__(self, args: list[str], flags: str, valued: str, long_flags: set[str], long_valued: set[str]):
        self.args = args
        self.flags, self.valued = flags, valued
        self.long_flags, self.long_valued = long_flags, long_valued
        self.values: list[tuple[str, str]] = []
        self.positional: list[str] = []

    def parse(self) -> bool:
        """False when an option is not known: the command may test something else."""
        i = 0
        while i < len(self.args):
            arg = self.args[i]
            if arg.startswith("--") and len(arg) > 2:
                name, eq, value = arg.partition("=")
                if name in self.long_flags and not eq:
                    self.values.append((name, ""))
                elif name in self.long_valued:
                    if not eq:
                        i += 1
                        if i >= len(self.args):
                            return False
                        value = self.args[i]
                    self.values.append((name, value))
                else:
                    return False
            elif arg.startswith("-") and len(arg) > 1:
                j = 1
                while j < len(arg):
                    letter = arg[j]
                    if letter in self.flags:
                        self.values.append((f"-{letter}", ""))
                        j += 1
                        continue
                    if letter not in self.valued:
                        return False
                    value = arg[j + 1 :]
                    if not value:
                        i += 1
                        if i >= len(self.args):
                            return False
                        value = self.args[i]
                    self.values.append((f"-{letter}", value))
                    break
            else:
                self.positional.append(arg)
            i += 1
        return True

    def get(self, *names: str) -> list[str]:
        return [value for name, value in self.values if name in names]


def _local_url(url: str) -> tuple[str, int, str] | None:
    """(scheme, port, path?query) of a URL that addresses the container itself, else None."""
    if "://" not in url:
        url = "http://" + url  # curl and wget assume http
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEME_PORTS or parts.hostname is None or parts.hostname not in LOCAL_HOSTS:
        return None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, port or SCHEME_PORTS[scheme], path


def _http(url: str, position: Position, method: str | None, headers: list[str]) -> HealthCheck | None:
    target = _local_url(url)
    if target is None:
        return None
    scheme, port, path = target
    check = HealthCheck("http", position, port=port, path=path, scheme=scheme, method=method)
    for header in headers:
        name, colon, value = header.partition(":")
        if not colon or not name.strip():
            return None
        check.headers.setdefault(name.strip(), []).append(value.strip())
    return check


def _curl(args: list[str], position: Position) -> HealthCheck | None:
    options = _Options(
        args,
        flags="fsSLkIv",
        valued="oXHmw",
        long_flags={
            "--fail", "--silent", "--show-error", "--location", "--insecure", "--head", "--verbose",
            "--fail-with-body", "--no-progress-meter",
        },
        long_valued={"--output", "--request", "--header", "--max-time", "--connect-timeout", "--retry",
                     "--write-out"},
    )  # fmt: skip
    if not options.parse() or len(options.positional) != 1:
        return None
    if any(v not in ("/dev/null", "-") for v in options.get("-o", "--output")):
        return None  # writes a file: that side effect may matter
    methods = options.get("-X", "--request")
    method = methods[-1].upper() if methods else ("HEAD" if options.get("-I", "--head") else None)
    check = _http(options.positional[0], position, method, options.get("-H", "--header"))
    if check is not None:
        # without --fail curl exits 0 on any HTTP answer, 404 and 500 too
        check.any_status = not options.get("-f", "--fail", "--fail-with-body")
    return check


def _wget(args: list[str], position: Position) -> HealthCheck | None:
    options = _Options(
        args,
        flags="qS",
        valued="OtT",
        long_flags={"--spider", "--quiet", "--no-verbose", "--server-response", "--no-check-certificate"},
        long_valued={"--output-document", "--tries", "--timeout", "--header", "--method"},
    )
    if not options.parse() or len(options.positional) != 1:
        return None
    if any(v not in ("/dev/null", "-") for v in options.get("-O", "--output-document")):
        return None
    methods = options.get("--method")
    method = methods[-1].upper() if methods else None
    return _http(options.positional[0], position, method, options.get("--header"))


def _tcp(host: str | None, port: str | int | None, position: Position) -> HealthCheck | None:
    if host is not None and host not in LOCAL_HOSTS:
        return None
    number = port if isinstance(port, int) else int(port) if port and port.isdigit() else None
    if number is None or not 0 < number < 65536:
        return None
    return HealthCheck("tcp", position, port=number)


def _nc(args: list[str], position: Position) -> HealthCheck | None:
    options = _Options(args, flags="zvnN46", valued="wq", long_flags=set(), long_valued=set())
    if not options.parse():
        return None
    positional = options.positional
    if len(positional) == 1 and ":" in positional[0]:  # busybox accepts host:port
        positional = positional[0].rsplit(":", 1)
    if len(positional) != 2:
        return None
    return _tcp(positional[0], positional[1], position)


def _client_ping(
    default_port: int,
    host_flags: tuple[str, ...],
    port_flags: tuple[str, ...],
    flags: str,
    valued: str,
    long_flags: set[str],
    long_valued: set[str],
    words: tuple[str, ...],
) -> Callable[[list[str], Position], HealthCheck | None]:
    """A database client asked whether its server answers: a ``tcp`` check on the server's port."""

    def recognise(args: list[str], position: Position) -> HealthCheck | None:
        options = _Options(args, flags, valued, long_flags, long_valued)
        if not options.parse() or tuple(w.lower() for w in options.positional) != words:
            return None
        hosts = options.get(*host_flags)
        ports = options.get(*port_flags)
        return _tcp(hosts[-1] if hosts else None, ports[-1] if ports else default_port, position)

    return recognise  # fmt: skip


def _bash(args: list[str], position: Position) -> HealthCheck | None:
    """``bash -c 'echo > /dev/tcp/localhost/8080'``: bash's own TCP connect."""
    if len(args) != 2 or args[0] != "-c":
        return None
    tokens = _shell_tokens(args[1])
    if tokens is None:
        return None
    if len(tokens) not in (2, 3) or tokens[-2] != ">" or tokens[:1] not in (["echo"], [">"]):
        return None
    parts = tokens[-1].split("/")
    if len(parts) != 5 or parts[:3] != ["", "dev", "tcp"]:
        return None
    return _tcp(parts[3], parts[4], position)


_PG = _client_ping(
    5432, ("-h", "--host"), ("-p", "--port"), "q", "hpUdt",
    {"--quiet"}, {"--host", "--port", "--username", "--dbname", "--timeout"}, (),
)  # fmt: skip
_REDIS = _client_ping(
    6379, ("-h",), ("-p",), "", "hpan", {"--no-auth-warning", "--raw"}, {"--pass", "--user"}, ("ping",)
)
_MYSQL = _client_ping(
    3306, ("-h", "--host"), ("-P", "--port"), "s", "hPup",
    {"--silent"}, {"--host", "--port", "--user", "--password"}, ("ping",),
)  # fmt: skip

RECOGNISERS: dict[str, Callable[[list[str], Position], HealthCheck | None]] = {
    "curl": _curl,
    "wget": _wget,
    "nc": _nc,
    "ncat": _nc,
    "netcat": _nc,
    "pg_isready": _PG,
    "redis-cli": _REDIS,
    "valkey-cli": _REDIS,
    "mysqladmin": _MYSQL,
    "mariadb-admin": _MYSQL,
    "bash": _bash,  # /dev/tcp is bash's own; sh has none
}
