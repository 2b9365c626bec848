"""Findings: every decision and every loss, with its source position.

Each code is registered once here with its severity and a description; the
list in ``docs/findings.md`` is generated from this table, so the two cannot
drift. Codes are grouped by area and never reused.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from translator.source import Position


class Severity(enum.IntEnum):
    INFO = 1  # translated, with a visible change
    WARNING = 2  # approximated
    ERROR = 3  # a person has to act; the run still emits what it can

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    title: str


CODES: dict[str, Code] = {}


def _code(code: str, severity: Severity, title: str) -> str:
    if code in CODES:  # pragma: no cover - guards the table itself
        raise ValueError(f"finding code {code} registered twice")
    CODES[code] = Code(code, severity, title)
    return code


INFO, WARN, ERR = Severity.INFO, Severity.WARNING, Severity.ERROR

# Input and loading (L)
UNKNOWN_KEY = _code("L001", WARN, "A key the tool does not know; it was ignored")
UNSET_VARIABLE = _code("L002", WARN, "A variable used in interpolation is not set; it became an empty string")
UNKNOWN_TOP_LEVEL = _code("L003", WARN, "An unknown top-level key was ignored")
PROFILE_SKIPPED = _code("L004", INFO, "A service was left out because none of its profiles is active")
ENV_FROM_PROCESS = _code(
    "L005", INFO, "An environment key without a value took its value from the environment"
)
ENV_UNSET = _code(
    "L006", WARN, "An environment key without a value is not set in the environment; it was left out"
)
YAML11_BOOLEAN = _code("L007", INFO, "A yes/no/on/off word was read as a boolean, as Compose reads it")

# Names (N)
RENAMED = _code("N001", INFO, "A name was changed to fit Nomad's naming rules")
NAME_CLASH = _code("N002", ERR, "Two names became the same after sanitising; one was given a suffix")

# Images and build (B)
BUILD_ONLY = _code(
    "B001", ERR, "The service is only built locally; its image must be built and pushed to a registry"
)
BUILD_IGNORED = _code("B002", INFO, "The build section was ignored because an image is named")

# Ports and networking (P)
PORT_DYNAMIC = _code("P001", INFO, "A published host port became a dynamic port")
PORT_STATIC = _code(
    "P002", WARN, "A static host port was kept; it limits placement to clients where it is free"
)
PORT_EXPOSED = _code(
    "P003", WARN, "An internal-only port got a host port so that other allocations can reach it"
)
PORT_HOST_IP = _code("P004", WARN, "A host IP binding became a host_network, which the client must define")
PORT_RANGE = _code("P005", WARN, "A published port range has no Nomad equivalent; one dynamic port was used")
PORT_PROTOCOL = _code("P006", INFO, "Nomad maps TCP and UDP together; the protocol restriction is gone")
PORT_SCTP = _code("P007", ERR, "SCTP ports are not supported by Nomad's port mapping")
PORT_MODE_INGRESS = _code("P008", INFO, "Swarm ingress routing has no Nomad equivalent")
PORT_APP_PROTOCOL = _code("P009", INFO, "An application protocol became a service tag")
PORT_COLLISION = _code("P010", ERR, "Two containers in one group listen on the same port")
PORT_HOST_MODE = _code(
    "P011", INFO, "Under host networking the process binds the host port itself: a static port"
)
NETWORK_CONTAINER = _code("P012", ERR, "network_mode container:X has no Nomad equivalent")
NETWORK_MODE_OTHER = _code("P013", WARN, "An unrecognised network_mode was replaced by bridge networking")
NETWORK_MERGED = _code(
    "P014", INFO, "A service sharing another's network namespace became a task in its group"
)
NETWORKS_IGNORED = _code("P015", INFO, "Compose networks have no Nomad equivalent; bridge networking is used")
NETWORK_ALIAS = _code("P016", INFO, "A network alias became an extra service name")
STATIC_IP = _code("P017", WARN, "A fixed container IP address has no equivalent under bridge networking")
EXTRA_HOSTS_SHARED = _code(
    "P018", WARN, "extra_hosts of several tasks in one group: only the first task's entries are written"
)
HOSTNAME_MOVED = _code("P019", INFO, "The hostname became the group network's hostname")
DNS_MOVED = _code("P020", INFO, "DNS settings moved to the group network's dns block")
HOST_NETWORK_NEEDED = _code("P021", WARN, "A host_network is named that the Nomad clients must define")

# Services and registration (S)
SERVICE_REGISTERED = _code("S001", INFO, "A Nomad service was registered for a reachable port")
NO_PORTS = _code("S002", INFO, "The service declares no ports; nothing is registered in discovery")

# Task settings (T)
RESTART_MAPPED = _code("T001", INFO, "The restart policy was approximated with Nomad's restart block")
RESTART_NO = _code("T002", WARN, "restart: no has no exact equivalent in a service job")
REPLICAS = _code("T003", INFO, "replicas became the group's count")
COMMAND_SPLIT = _code("T004", INFO, "A command string was split into arguments as Compose splits it")
NOT_TRANSLATED = _code("T005", WARN, "A setting is not translated yet; it was ignored")
VOLUME_BIND = _code(
    "T006", ERR, "A bind mount of a host path needs a host volume or must be baked into the image"
)
VOLUME_NAMED = _code("T007", ERR, "A named volume needs a Nomad host volume or CSI volume")
VOLUME_TMPFS = _code("T008", WARN, "A tmpfs mount is not translated")
SECRET_NOT_TRANSLATED = _code(
    "T009", ERR, "Secrets and configs must be moved to Nomad Variables or templates"
)
ENV_INTERPOLATION = _code(
    "T010", INFO, "An environment value contains ${...}; Nomad would interpolate it, so it was escaped"
)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    position: Position
    message: str
    hint: str = ""
    path: str = ""  # YAML path, e.g. services.web.ports[0]
    subject: str = ""  # the workload it concerns
    severity: Severity = field(default=Severity.INFO)

    def line(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.position.short}: {self.severity} {self.code}: {self.message}{hint}"


class Findings:
    """Collects findings in the order they were made; deduplicates exact repeats."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self._seen: set[tuple[str, Position, str]] = set()

    def add(
        self,
        code: str,
        position: Position,
        message: str,
        hint: str = "",
        *,
        path: str = "",
        subject: str = "",
    ) -> None:
        key = (code, position, message)
        if key in self._seen:
            return
        self._seen.add(key)
        self.items.append(Finding(code, position, message, hint, path, subject, CODES[code].severity))

    def extend(self, other: Findings) -> None:
        for item in other.items:
            key = (item.code, item.position, item.message)
            if key not in self._seen:
                self._seen.add(key)
                self.items.append(item)

    def sorted(self) -> list[Finding]:
        return sorted(self.items, key=lambda f: (f.position, f.code, f.message))

    def __len__(self) -> int:
        return len(self.items)
