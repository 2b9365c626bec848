"""Stage 1 of discovery: find the places where a container names another workload.

A pure function of the neutral model. For each environment value and argument that names
an endpoint of another workload, it returns the value split into literal text and
``Reference`` parts, plus the notes (warnings) for what looks like a host but is left as it
is, and the ports that callers use but their target never declared. The detection rules
are documented in ``docs/discovery.md``; each has a test on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import field
from functools import lru_cache
from typing import Any

from translator import findings as codes
from translator.model import Container, ContainerPort, Endpoint, EnvVar, Project, Workload
from translator.records import record
from translator.source import Position

# Words that, ending an environment key, say that its value is a host (or a list of hosts).
HOST_WORDS = frozenset(
    {
        "HOST", "HOSTNAME", "HOSTS", "SERVER", "SERVERS", "ADDR", "ADDRS", "ADDRESS", "ADDRESSES",
        "URL", "URLS", "URI", "URIS", "DSN", "ENDPOINT", "ENDPOINTS", "BROKER", "BROKERS", "SEED",
        "SEEDS", "NODES", "PEERS", "UPSTREAM", "UPSTREAMS", "TARGET", "TARGETS", "CONNECT",
    }
)  # fmt: skip
# Key endings whose value names something other than a host: never a reference, never a warning.
NOT_HOST_WORDS = frozenset(
    {
        "USER", "USERNAME", "LOGIN", "PASSWORD", "PASS", "PWD", "SECRET", "TOKEN", "KEY", "DB",
        "DATABASE", "DBNAME", "NAME", "SCHEMA", "TABLE", "TOPIC", "BUCKET", "INDEX", "NAMESPACE",
        "ROLE", "REALM", "TENANT", "ID", "EMAIL", "PREFIX", "SUFFIX", "LABEL", "TAG", "PATH",
        "DIR", "FILE", "IMAGE", "VERSION", "MODE", "LEVEL", "TYPE", "DRIVER", "ENGINE", "CLUSTER",
    }
)  # fmt: skip
# Key endings after which a sibling ``<PREFIX>_PORT`` variable holds the same target's port.
HOST_ONLY_SUFFIXES = ("_HOSTNAME", "_HOST_NAME", "_HOST", "_SERVER", "_ADDRESS", "_ADDR")

# The port a URL without one uses, by scheme (each ``+``-separated part of it is tried).
SCHEME_PORTS = {
    "http": 80, "ws": 80, "https": 443, "wss": 443, "grpc": 80, "grpcs": 443, "ftp": 21,
    "ssh": 22, "smtp": 25, "ldap": 389, "ldaps": 636, "postgres": 5432, "postgresql": 5432,
    "mysql": 3306, "mariadb": 3306, "redis": 6379, "rediss": 6379, "valkey": 6379,
    "mongodb": 27017, "amqp": 5672, "amqps": 5671, "nats": 4222, "mqtt": 1883, "kafka": 9092,
    "memcached": 11211, "zookeeper": 2181, "etcd": 2379, "sqlserver": 1433, "mssql": 1433,
    "cassandra": 9042, "elasticsearch": 9200, "clickhouse": 8123, "consul": 8500,
}  # fmt: skip

_SCHEME_BEFORE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://(?:[^\s/?#@]*@)?$")
_PORT_AFTER = re.compile(r":(?P<port>\d{1,5})(?![\w:\-]|\.\d)")
_OPTION_ASSIGN = re.compile(r"^-{1,2}[A-Za-z][\w.\-]*=")
_LIST_PREFIX = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.\-]*://(?:[^\s/?#@]*@)?)?$")
_LIST_SUFFIX = re.compile(r"^(?:/[^\s,]*)?\s*$")
_KEY_WORDS = re.compile(r"[^A-Za-z0-9]+")


@record(frozen=True)
class Repeat:
    """A list element: rendered once per instance, each as ``prefix`` address ``suffix``."""

    prefix: str
    suffix: str
    separator: str


@record(frozen=True)
class Reference:
    """One reference to another workload inside a value.

    ``kind`` says what the text stands for: ``address`` (host and port), ``host`` (host only)
    or ``port`` (a sibling port variable). ``port`` is the port the target container listens
    on; ``written`` is the text replaced (host, with ``:port`` when one was written).
    """

    target: str  # the target workload's name
    endpoint: str  # the name the caller used for it
    kind: str
    written: str
    port: int | None
    position: Position
    port_written: bool = True  # False: a URL's default port, which the rewrite adds
    repeat: Repeat | None = None
    external: str | None = None  # an ExternalName endpoint: the host that replaces the name


Part = str | Reference


@record
class Value:
    """An environment value or an argument, as literal text and references."""

    workload: str
    container: str
    where: str  # env | command | entrypoint
    key: str  # the variable name, or the argument's index
    original: str
    parts: list[Part]
    position: Position

    @property
    def references(self) -> list[Reference]:
        return [p for p in self.parts if isinstance(p, Reference)]


@record(frozen=True)
class Note:
    code: str
    position: Position
    message: str
    hint: str
    subject: str
    target: str = ""


@record(frozen=True)
class MissingPort:
    """A port that callers use but the target never declared: it is registered for them."""

    workload: str
    container: str
    port: int
    position: Position  # the first reference that uses it
    caller: str


@record
class References:
    values: list[Value] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    missing: list[MissingPort] = field(default_factory=list)
    # Lookups kept beside the results so that scanning stays linear in the project's size.
    workloads: dict[str, Workload] = field(default_factory=dict, repr=False)
    missing_keys: set[tuple[str, int]] = field(default_factory=set, repr=False)
    # What a name resolves to depends only on the caller's namespace: one table and pattern each.
    tables: dict[str, tuple[dict[str, _Name], re.Pattern[str] | None]] = field(
        default_factory=dict, repr=False
    )


@record(frozen=True)
class _Name:
    workload: Workload | None
    endpoint: Endpoint


@record(frozen=True)
class _Hit:
    start: int
    end: int
    ref: Reference


def find_references(project: Project, hidden_dependencies: bool = True) -> References:
    """Every reference in every container's environment, command and entrypoint; with
    ``hidden_dependencies``, a note for each dependency no value names (when names are not served)."""
    result = References(workloads={w.name: w for w in project.workloads})
    owner_of: dict[str, Workload] = {}  # endpoint name → the first workload that has it
    for workload in project.workloads:
        for endpoint in workload.endpoints:
            owner_of.setdefault(endpoint.name, workload)
    for workload in project.workloads:
        table, pattern = names_table(project, result, workload)
        first_value, first_note = len(result.values), len(result.notes)
        if pattern is None:
            continue
        for container in workload.containers:
            finder = _Finder(project, workload, container, table, pattern, result)
            finder.environment()
            finder.arguments()
        if hidden_dependencies:
            _hidden_dependencies(owner_of, workload, result, first_value, first_note)
    return result


def names_table(
    project: Project, references: References, caller: Workload
) -> tuple[dict[str, _Name], re.Pattern[str] | None]:
    """The names ``caller`` may use (lowercase host name → what it resolves to), and a pattern that
    finds them in text; made once per namespace."""
    namespace = _namespace(caller.namespace)
    if namespace not in references.tables:
        names = _names(project, caller)
        references.tables[namespace] = (names, _pattern(names) if names else None)
    return references.tables[namespace]


def _namespace(value: str | None) -> str:
    return value or "default"


def _names(project: Project, caller: Workload) -> dict[str, _Name]:
    """Host name (lowercase) → what it resolves to, as seen from ``caller``."""
    table: dict[str, _Name] = {}
    sources: list[tuple[Workload | None, Endpoint]] = [(w, e) for w in project.workloads for e in w.endpoints]
    sources += [(None, e) for e in project.endpoints]
    for workload, endpoint in sources:
        if endpoint.kind == "external" and not endpoint.external_name:
            continue
        same_namespace = _namespace(endpoint.namespace) == _namespace(caller.namespace)
        for host in endpoint.hostnames or [endpoint.name]:
            # A name without the namespace resolves only from the Service's own namespace.
            if endpoint.namespace is not None and "." not in host and not same_namespace:
                continue
            table.setdefault(host.lower(), _Name(workload, endpoint))
    return table


def _pattern(table: dict[str, _Name]) -> re.Pattern[str]:
    if all(name.isascii() for name in table):
        # The names as a trie (svc-1, svc-10 → svc\-1(?:0)?): the regex engine tries an alternation
        # one branch at a time, so a flat one costs every name at every position of every value.
        # Each branch point tries the longer names first, as the flat alternation did; for ASCII
        # names at most one sibling branch can match, so the matches are the same.
        trie: dict[str, Any] = {}
        for name in table:
            node = trie
            for char in name:
                node = node.setdefault(char, {})
            node[""] = {}
        alternatives = _alternation(trie)
    else:
        names = sorted(table, key=len, reverse=True)  # longest first: svc.ns.svc before svc
        alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![\w.\-])(?:{alternatives})(?![\w\-]|\.\w)", re.IGNORECASE)


def _alternation(node: dict[str, Any]) -> str:
    """The regex for the names below a trie node (``""`` marks a name that ends there)."""
    branches = [re.escape(char) + _alternation(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def key_words(key: str) -> list[str]:
    return [w for w in _KEY_WORDS.split(key.upper()) if w]


# The same variable names recur in service after service: each is classified once.
@lru_cache(maxsize=4096)
def is_host_key(key: str) -> bool:
    words = key_words(key)
    return bool(words) and (words[-1] in HOST_WORDS or words[-2:] == ["HOST", "NAME"])


@lru_cache(maxsize=4096)
def is_not_host_key(key: str) -> bool:
    words = key_words(key)
    return bool(words) and words[-1] in NOT_HOST_WORDS


def sibling_prefix(key: str) -> str | None:
    """``REDIS_HOST`` → ``REDIS_``: the prefix its port variable would share."""
    upper = key.upper()
    for suffix in HOST_ONLY_SUFFIXES:
        if upper.endswith(suffix) and len(upper) > len(suffix):
            return key[: len(key) - len(suffix) + 1]
    return None


def scheme_port(scheme: str) -> int | None:
    for part in scheme.lower().split("+"):
        if part in SCHEME_PORTS:
            return SCHEME_PORTS[part]
    return None


class _Finder:
    """Scans one container's values; records values, notes and missing ports in ``result``."""

    def __init__(
        self,
        project: Project,
        workload: Workload,
        container: Container,
        table: dict[str, _Name],
        pattern: re.Pattern[str],
        result: References,
    ) -> None:
        self.project = project
        self.workload = workload
        self.container = container
        self.table = table
        self.pattern = pattern
        self.result = result
        self.first_value = len(result.values)  # values before this one belong to other containers
        self.after_host_option = False

    # -- values -------------------------------------------------------------------------------

    def environment(self) -> None:
        plain = [v for v in self.container.environment if v.runtime is None and v.secret is None]
        host_refs: list[tuple[EnvVar, Reference]] = []
        for var in plain:
            hits = self._scan(var.value, var.name, var.position)
            if not hits:
                continue
            hits = _as_list(var.value, hits, var.name)
            self._add(
                Value(self.workload.name, self.container.name, "env", var.name, var.value, [], var.position),
                hits,
            )
            host_refs += [(var, h.ref) for h in hits if h.ref.kind == "host"]
        self._siblings(plain, host_refs)

    def arguments(self) -> None:
        for where in ("entrypoint", "command"):
            args: list[str] = getattr(self.container, where) or []
            position = getattr(self.container, f"{where}_position") or self.container.position
            hosts: list[tuple[Value, Reference]] = []
            for i, arg in enumerate(args):
                # ``-h db`` / ``--host db``: the option before a bare name says it is a host.
                self.after_host_option = i > 0 and _is_host_option(args[i - 1])
                hits = self._scan(arg, None, position)
                if hits:
                    value = Value(self.workload.name, self.container.name, where, str(i), arg, [], position)
                    self._add(value, hits)
                    hosts += [(value, h.ref) for h in hits if h.ref.kind == "host" and h.ref.external is None]
            if hosts:
                self._argument_ports(where, args, position, hosts)

    def _argument_ports(
        self, where: str, args: list[str], position: Position, hosts: list[tuple[Value, Reference]]
    ) -> None:
        """``-h db -p 5432``, ``--host db --port=5432``: the port argument is rewritten too.

        Only a port option's value pairs, and only with a host whose target declares that port
        (and when the caller does not listen on it itself): ``-p`` alone means other things too.
        """
        taken = {int(v.key) for v in self.result.values[self.first_value :] if v.where == where}
        own = {p.target for c in self.workload.containers for p in c.ports}
        for value, ref in hosts:
            target = self.result.workloads[ref.target]
            endpoint = next(e for e in target.endpoints if e.name == ref.endpoint)
            declared = {p.port: p.target for p in endpoint.ports} or {
                p.target: p.target for c in target.containers for p in c.ports
            }
            for i, arg in enumerate(args):
                found = _port_argument(args[i - 1] if i else "", arg)
                if i in taken or found is None or int(found[1]) not in declared or int(found[1]) in own:
                    continue
                before, number = found
                port = declared[int(number)]
                part = Reference(ref.target, ref.endpoint, "port", number, port, position)
                parts: list[Part] = [before, part] if before else [part]
                self.result.values.append(
                    Value(self.workload.name, self.container.name, where, str(i), arg, parts, position)
                )
                taken.add(i)
                paired = Reference(**{**ref.__dict__, "port": port})
                value.parts = [paired if p is ref else p for p in value.parts]
                break

    def _add(self, value: Value, hits: list[_Hit]) -> None:
        cursor = 0
        for hit in hits:
            if hit.start > cursor:
                value.parts.append(value.original[cursor : hit.start])
            value.parts.append(hit.ref)
            cursor = hit.end
        if cursor < len(value.original):
            value.parts.append(value.original[cursor:])
        self.result.values.append(value)

    # -- scanning ------------------------------------------------------------------------------

    def _scan(self, text: str, key: str | None, position: Position) -> list[_Hit]:
        hits: list[_Hit] = []
        for match in self.pattern.finditer(text):
            hit = self._classify(text, match, key, position)
            if hit is not None:
                hits.append(hit)
        return hits

    def _classify(self, text: str, match: re.Match[str], key: str | None, position: Position) -> _Hit | None:
        name = self.table[match.group().lower()]
        start, end = match.span()
        port_match = _PORT_AFTER.match(text, end)
        scheme_match = _SCHEME_BEFORE.search(text[:start])
        port: int | None
        if port_match:
            kind, port, written, end = "address", int(port_match["port"]), True, port_match.end()
        elif scheme_match:
            kind, port, written = "address", scheme_port(scheme_match["scheme"]), False
        elif self._bare_is_host(text, start, end, key, name, position):
            kind, port, written = "host", None, False
        else:
            return None
        if self._is_self(name):
            self._note(
                codes.DISCOVERY_SELF,
                position,
                f"{key or 'an argument'} names {self.workload.name!r} itself ({text[start:end]!r}); it was "
                "left as it is",
                "a bind address can become 0.0.0.0; an address others should use can become "
                "${NOMAD_ADDR_<port label>} (the host address and port)",
            )
            return None
        ref = self._reference(name, kind, text[start:end], port, position, written)
        return None if ref is None else _Hit(start, end, ref)

    def _bare_is_host(
        self, text: str, start: int, end: int, key: str | None, name: _Name, position: Position
    ) -> bool:
        """A name with no port and no scheme: a host under a host key, else at most a warning."""
        whole = text.strip() == text[start:end]
        if key is not None and is_host_key(key):
            tokens = re.split(r"[\s,;]+", text.strip())
            return text[start:end] in tokens
        if key is not None and is_not_host_key(key):
            return False
        assign = _OPTION_ASSIGN.match(text)
        option = assign is not None and start == assign.end() and end == len(text)
        if key is None and ((whole and self.after_host_option) or (option and _is_host_option(text[:start]))):
            return True
        if (whole or option) and not self._is_self(name):
            self._note(
                codes.DISCOVERY_AMBIGUOUS,
                position,
                f"{key or 'argument ' + repr(text)} equals the service name {text[start:end]!r}; it was "
                "left as it is",
                "if it is a host, give it a port (name:port), a URL, or a key ending in _HOST; the "
                "translator then rewrites it",
                target=name.workload.name if name.workload else "",
            )
        return False

    def _is_self(self, name: _Name) -> bool:
        if name.workload is not self.workload:
            return False
        owner = self._endpoint_container(name.workload, name.endpoint)
        return (owner is None and len(self.workload.containers) == 1) or owner is self.container

    @staticmethod
    def _endpoint_container(workload: Workload, endpoint: Endpoint) -> Container | None:
        return next((c for c in workload.containers if c.name == endpoint.name), None)

    def _reference(
        self, name: _Name, kind: str, written: str, port: int | None, position: Position, port_written: bool
    ) -> Reference | None:
        if name.workload is None:  # an ExternalName endpoint: no discovery, the external host
            return Reference(
                "",
                name.endpoint.name,
                kind,
                written,
                port,
                position,
                port_written,
                None,
                name.endpoint.external_name,
            )
        target = name.workload
        if port is not None:
            port = self._target_port(target, name.endpoint, port, position)
        elif kind == "host":  # the main port; a sibling port variable may choose another one
            port = _first_port(target, name.endpoint)
        elif kind == "address":  # a URL whose scheme has no known default port: the target's own
            port = _first_port(target, name.endpoint)
            if port is None:
                self._note(
                    codes.DISCOVERY_UNREACHABLE,
                    position,
                    f"{written!r} names {target.name!r}, which declares no port, and its scheme has no "
                    "default port; it was left as it is",
                    f"write the port in the URL, or declare it on {target.name!r}",
                    target=target.name,
                )
                return None
        return Reference(target.name, name.endpoint.name, kind, written, port, position, port_written)

    def _target_port(self, target: Workload, endpoint: Endpoint, port: int, position: Position) -> int:
        """The container port behind the port a caller dials; registered when never declared."""
        for endpoint_port in endpoint.ports:
            if endpoint_port.port == port:
                return endpoint_port.target
        if not any(p.target == port for c in target.containers for p in c.ports):
            owner = self._endpoint_container(target, endpoint) or target.containers[0]
            if (target.name, port) not in self.result.missing_keys:
                self.result.missing_keys.add((target.name, port))
                self.result.missing.append(
                    MissingPort(target.name, owner.name, port, position, self.workload.name)
                )
        return port

    def _siblings(self, variables: list[EnvVar], host_refs: list[tuple[EnvVar, Reference]]) -> None:
        """``REDIS_HOST=redis`` + ``REDIS_PORT=6379``: the port variable is rewritten too."""
        taken = {v.key for v in self.result.values[self.first_value :] if v.where == "env"}
        for var, ref in host_refs:
            if ref.external is not None:
                continue
            target = self.result.workloads[ref.target]
            endpoint = next(e for e in target.endpoints if e.name == ref.endpoint)
            siblings = _named_siblings(var.name, variables, taken)
            port = ref.port or self._guess_port(var.name, target, endpoint, ref)
            if not siblings and port is not None:
                siblings = self._port_valued(variables, taken, port)
            for sibling in siblings:
                sibling_port = self._target_port(target, endpoint, int(sibling.value), sibling.position)
                part = Reference(
                    ref.target, ref.endpoint, "port", sibling.value, sibling_port, sibling.position
                )
                self.result.values.append(
                    Value(
                        self.workload.name,
                        self.container.name,
                        "env",
                        sibling.name,
                        sibling.value,
                        [part],
                        sibling.position,
                    )
                )
                taken.add(sibling.name)
            if siblings:
                port = self._target_port(target, endpoint, int(siblings[0].value), siblings[0].position)
            if port is not None:
                self._replace(var.name, ref, Reference(**{**ref.__dict__, "port": port}))

    def _port_valued(self, variables: list[EnvVar], taken: set[str], port: int) -> list[EnvVar]:
        """``POSTGRES_SEEDS=postgresql`` + ``DB_PORT=5432``: the one ``*_PORT`` holding the target's
        port pairs with the host, unless the caller itself listens on that port."""
        if any(p.target == port for c in self.workload.containers for p in c.ports):
            return []
        found = [
            v
            for v in variables
            if v.name.upper().endswith("_PORT") and v.value.strip() == str(port) and v.name not in taken
        ]
        return found if len(found) == 1 else []

    def _guess_port(self, key: str, target: Workload, endpoint: Endpoint, ref: Reference) -> int | None:
        """A target that declares no port: the key may name the protocol (``POSTGRES_HOST``)."""
        image = target.containers[0].image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
        for word in [*key_words(key), *key_words(image)]:
            if word.lower() in SCHEME_PORTS:
                return self._target_port(target, endpoint, SCHEME_PORTS[word.lower()], ref.position)
        return None

    def _replace(self, key: str, old: Reference, new: Reference) -> None:
        for value in self.result.values[self.first_value :]:
            if value.key == key and value.where == "env":
                value.parts = [new if p is old else p for p in value.parts]

    def _note(self, code: str, position: Position, message: str, hint: str, target: str = "") -> None:
        note = Note(code, position, message, hint, self.workload.name, target)
        self.result.notes.append(note)  # exact repeats are dropped by Findings


def _named_siblings(key: str, variables: list[EnvVar], taken: set[str]) -> list[EnvVar]:
    """``<PREFIX>_PORT`` and ``<PREFIX>_PORT_<x>`` beside ``<PREFIX>_HOST``; ``_PORT`` first."""
    prefix = sibling_prefix(key)
    if prefix is None:
        return []
    wanted = prefix.upper() + "PORT"
    found = [
        v
        for v in variables
        if v.name.upper().startswith(wanted)
        and v.name[len(wanted) :][:1] in ("", "_")
        and v.value.strip().isdigit()
        and v.name not in taken
    ]
    return sorted(found, key=lambda v: (v.name.upper() != wanted, v.name))


def _is_host_option(arg: str) -> bool:
    """``-h``, ``--host``, ``--bootstrap-server``, ``--broker-list=``: an option that takes a host."""
    match = re.match(r"^-{1,2}([A-Za-z][\w.\-]*)=?$", arg)
    if match is None:
        return False
    name = match.group(1)
    return name == "h" or is_host_key(name) or key_words(name)[-1:] in (["LIST"], ["SERVER"])


_PORT_OPTION_VALUE = re.compile(r"^(?P<option>-{1,2}[A-Za-z][\w.\-]*=|-[pP])?(?P<port>\d{1,5})$")


def _is_port_option(option: str) -> bool:
    """``-p``, ``-P``, ``--port``, ``--redis-port``, with ``=`` or not."""
    name = option.lstrip("-").rstrip("=")
    return option.startswith("-") and (name in ("p", "P") or key_words(name)[-1:] == ["PORT"])


def _port_argument(previous: str, arg: str) -> tuple[str, str] | None:
    """(text before the number, number) of a port option's value: ``-p 5432``, ``--port=5432``,
    ``-p5432``; None for any other argument."""
    match = _PORT_OPTION_VALUE.match(arg)
    if match is None:
        return None
    option = match["option"]
    if option is not None:
        return (option, match["port"]) if _is_port_option(option) else None
    return ("", match["port"]) if _is_port_option(previous) and "=" not in previous else None


def _first_port(workload: Workload, endpoint: Endpoint) -> int | None:
    if endpoint.ports:
        return endpoint.ports[0].target
    return next((p.target for c in workload.containers for p in c.ports), None)


def _as_list(text: str, hits: list[_Hit], key: str) -> list[_Hit]:
    """Elements of a comma list (or of a space list under a host key) are rendered per instance."""
    separator = "," if "," in text else (" " if is_host_key(key) and len(text.split()) > 1 else None)
    if separator is None:
        return hits
    result: list[_Hit] = []
    for item_start, item_end in _items(text, separator):
        inside = [h for h in hits if item_start <= h.start and h.end <= item_end]
        if len(inside) != 1 or inside[0].ref.kind == "port":
            result += inside
            continue
        hit = inside[0]
        prefix, suffix = text[item_start : hit.start], text[hit.end : item_end]
        if not (_LIST_PREFIX.match(prefix) and _LIST_SUFFIX.match(suffix)):
            result.append(hit)
            continue
        repeat = Repeat(prefix, suffix, separator)
        result.append(_Hit(item_start, item_end, Reference(**{**hit.ref.__dict__, "repeat": repeat})))
    return result


def _items(text: str, separator: str) -> Iterator[tuple[int, int]]:
    start = 0
    for i, char in enumerate(text):
        if char == separator:
            yield start, i
            start = i + 1
    yield start, len(text)


def _hidden_dependencies(
    owner_of: dict[str, Workload], workload: Workload, result: References, first_value: int, first_note: int
) -> None:
    """A dependency whose name appears nowhere in the caller's values is probably in its code."""
    found = {r.target for v in result.values[first_value:] for r in v.references}
    noted = {n.target for n in result.notes[first_note:]}
    for dependency in workload.depends_on:
        target = owner_of.get(dependency.target)
        if target is None or target is workload or target.name in found or target.name in noted:
            continue
        result.notes.append(
            Note(
                codes.DISCOVERY_HIDDEN,
                dependency.position,
                f"{workload.name!r} depends on {dependency.target!r}, but no environment value or argument "
                f"names it: the application probably has the host name {dependency.target!r} in its code or "
                "configuration files",
                f"pass the address in a variable the application reads (a template with nomadService "
                f'"{dependency.target}", or a Connect upstream), or resolve the name with Consul DNS',
                workload.name,
                target.name,
            )
        )


def register_missing_ports(project: Project, references: References) -> list[Note]:
    """Declare on the model the ports callers use but targets never declared, as internal ports."""
    notes: list[Note] = []
    for missing in references.missing:
        workload = references.workloads.get(missing.workload) or next(
            w for w in project.workloads if w.name == missing.workload
        )
        container = next(c for c in workload.containers if c.name == missing.container)
        if any(p.target == missing.port for c in workload.containers for p in c.ports):
            continue
        container.ports.append(ContainerPort(missing.port, missing.position, exposed_only=True))
        notes.append(
            Note(
                codes.DISCOVERY_PORT_REGISTERED,
                missing.position,
                f"{missing.caller!r} reaches {missing.workload!r} on port {missing.port}, which "
                f"{missing.workload!r} does not declare; the port was registered with a service",
                f"check that {missing.workload!r} listens on {missing.port}; declare it (expose) to make "
                "this explicit",
                missing.workload,
                missing.workload,
            )
        )
    return notes
