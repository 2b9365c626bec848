"""Findings: every decision and every loss, with its source position.

Each code is registered once here with its severity and a description; the
list in ``docs/findings.md`` is generated from this table, so the two cannot
drift. Codes are grouped by area and never reused.
"""

from __future__ import annotations

import enum
from dataclasses import field
from operator import attrgetter

from translator.records import record
from translator.source import Position
from translator.variables import needs_showing, shown


class Severity(enum.IntEnum):
    INFO = 1  # translated, with a visible change
    WARNING = 2  # approximated
    ERROR = 3  # a person has to act; the run still emits what it can

    def __str__(self) -> str:
        return SEVERITY_TEXT[self]


# str(severity) without its Python-level __format__ and __str__ calls, for loops over findings.
SEVERITY_TEXT: dict[Severity, str] = {severity: severity._name_.lower() for severity in Severity}


@record(frozen=True, slots=True)
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
# L008 and L009 only with --no-consistency: otherwise the loader refuses both, as Compose does.
DEPENDANT_SKIPPED = _code(
    "L008",
    WARN,
    "A service was left out because a service it depends on is left out by its profiles (--no-consistency)",
)
UNDEFINED_DEPENDENCY = _code(
    "L009", WARN, "A service depends on a service that the project does not define (--no-consistency)"
)
# --keep-variables (L02x)
VARIABLE_KEPT = _code(
    "L020", INFO, "A variable was kept as a Nomad job variable, set at nomad job run (-var or NOMAD_VAR_)"
)
VARIABLE_REQUIRED = _code("L021", WARN, "A kept variable has no default: nomad job run needs a value for it")
VARIABLE_DEFAULTS_DIFFER = _code(
    "L022", WARN, "A kept variable has one default, and Compose gives another value at this use"
)
VARIABLE_RESOLVED = _code(
    "L023", INFO, "A variable was resolved at translation time: the translator reads this field's value"
)
VARIABLE_NAMES_SERVICE = _code(
    "L024",
    INFO,
    "A variable was resolved at translation time: its value names a service to rewrite",
)
COMMAND_TRUNCATED = _code(
    "L025",
    WARN,
    "A command string stops at an unquoted shell operator: Compose and the job run what comes before it",
)

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
    "P018",
    WARN,
    "Tasks of one group map a host to different addresses; their shared /etc/hosts keeps the first",
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
VOLUME_TMPFS = _code("T008", WARN, "A tmpfs mount is not translated")
SECRET_NOT_TRANSLATED = _code(
    "T009", ERR, "Secrets and configs must be moved to Nomad Variables or templates"
)
ENV_INTERPOLATION = _code(
    "T010", INFO, "An environment value contains ${...}; Nomad would interpolate it, so it was escaped"
)
STOP_MAPPED = _code("T011", INFO, "The stop grace period or stop signal became kill_timeout or kill_signal")
RESOURCES_MAPPED = _code("T013", INFO, "CPU and memory became the task's resources (1 CPU core = 1000 MHz)")
CPU_LIMIT_SHARE = _code("T014", WARN, "A CPU limit caps the container in Docker; Nomad's cpu is a share")
DOCKER_SETTINGS = _code("T015", INFO, "Container runtime settings became docker driver config options")
DOCKER_CLIENT_ALLOWS = _code(
    "T016", WARN, "A docker option runs only where the client's docker plugin allows it (privileged, caps)"
)
VOLUME_HOST = _code(
    "T017", WARN, "A named volume became a host volume: the clients must provide it before the job runs"
)
VOLUME_ANONYMOUS = _code(
    "T018", INFO, "An anonymous volume was left out: its data lives and dies with the task, as before"
)
VOLUME_SHARED = _code(
    "T019", WARN, "A named volume is used by several groups or instances; a host volume is each client's own"
)
VOLUME_FILE = _code(
    "T020", INFO, "A bind-mounted file is carried in the job: a template writes it, a bind mount mounts it"
)
STOP_CAPPED = _code(
    "T012", WARN, "kill_timeout is above 30s, the clients' default max_kill_timeout, which caps it"
)

# Kubernetes input (K)
K8S_UNKNOWN_KEY = _code("K001", WARN, "A key the tool does not know in a Kubernetes object; it was ignored")
K8S_NOT_TRANSLATED = _code("K002", WARN, "A Kubernetes setting is not translated; it was ignored")
K8S_KIND_NOT_TRANSLATED = _code(
    "K003", WARN, "A Kubernetes object kind is not translated (Ingress, NetworkPolicy, PVC, HPA, ...)"
)
K8S_UNKNOWN_KIND = _code("K004", WARN, "An object of an unknown kind was ignored")
K8S_CPU = _code("K005", INFO, "CPU millicores became MHz at a fixed conversion factor")
K8S_FIELD_REF = _code("K006", INFO, "A fieldRef became the matching Nomad runtime variable")
K8S_FIELD_REF_UNSUPPORTED = _code("K007", WARN, "A fieldRef or resourceFieldRef has no Nomad equivalent")
K8S_CONFIGMAP_INLINE = _code("K008", INFO, "A ConfigMap value from the input was written inline")
K8S_CONFIGMAP_MISSING = _code("K009", ERR, "A referenced ConfigMap or key is not in the input")
K8S_SECRET_VARIABLE = _code(
    "K010", WARN, "A Secret reference reads a Nomad Variable, which must be created before the job runs"
)
K8S_HOST_PORT = _code("K011", WARN, "A hostPort became a static port")
K8S_NODE_PORT = _code("K012", WARN, "A NodePort Service became a static port")
K8S_HEADLESS = _code("K013", INFO, "A headless Service: per-Pod DNS names have no Nomad equivalent")
K8S_LOAD_BALANCER = _code("K014", WARN, "A LoadBalancer Service needs a load balancer in front of the job")
K8S_EXTERNAL_NAME = _code("K015", INFO, "An ExternalName Service: references to it use the external name")
K8S_NO_SELECTOR = _code("K016", WARN, "A Service without a selector has no workload to register")
K8S_SELECTOR_NO_MATCH = _code("K017", WARN, "A Service selector matches no workload in the input")
K8S_TARGET_PORT = _code("K018", ERR, "A Service targetPort names no container port of the workload")
K8S_PROBE = _code(
    "K019", WARN, "A probe could not be read into a check (no handler, no port, or another host)"
)
K8S_HOSTNAME = _code("K020", WARN, "Pod hostname or subdomain has no Nomad equivalent")
K8S_DNS = _code("K021", INFO, "Pod DNS settings became the group network's dns block, or were dropped")
K8S_VAR_EXPANSION = _code("K022", INFO, "A $(VAR) reference was expanded as Kubernetes expands it")
K8S_SERVICE_ENV = _code(
    "K023", INFO, "A Service environment variable (<SVC>_SERVICE_HOST/_PORT) was added for discovery"
)
K8S_RESTART_POLICY = _code("K024", INFO, "restartPolicy decided the job type or the restart block")
K8S_JOB_SETTINGS = _code("K025", WARN, "A Job or CronJob setting was approximated or dropped")
K8S_PERIODIC = _code("K026", INFO, "A CronJob became a periodic batch job")
K8S_NAMESPACE = _code("K027", INFO, "The Kubernetes namespace became the job's Nomad namespace")
K8S_NO_IMAGE = _code("K028", ERR, "A container names no image")
K8S_SIDECAR = _code(
    "K029", INFO, "An init container became a prestart task (a sidecar when it keeps running)"
)
K8S_METADATA = _code("K030", INFO, "Annotations are not translated; labels became job meta")
K8S_MULTIPLE_MATCH = _code("K031", INFO, "A Service selects several workloads; it is registered in each")

# Discovery (D): references to other services by name (translator/discovery, docs/discovery.md)
DISCOVERY_REWRITTEN = _code(
    "D001", INFO, "A reference to another service was rewritten to its discovered address"
)
DISCOVERY_PORT_REGISTERED = _code(
    "D002", WARN, "A referenced port the target did not declare was registered so that callers can reach it"
)
DISCOVERY_AMBIGUOUS = _code(
    "D003", WARN, "A value equal to a service name may be a host name; it was left as it is"
)
DISCOVERY_PORT_DYNAMIC = _code(
    "D004", WARN, "A host-only reference was rewritten; the target's port is now dynamic and is not passed"
)
DISCOVERY_HIDDEN = _code(
    "D005",
    WARN,
    "A dependency's address appears nowhere in the configuration; it is probably in code or files",
)
DISCOVERY_SELF = _code(
    "D006", WARN, "A value names the service itself (a bind or advertised address); it was left as it is"
)
DISCOVERY_UNREACHABLE = _code(
    "D007", WARN, "A reference could not be rewritten: the target registers no service for that port"
)
DISCOVERY_PROVIDER = _code(
    "D008", INFO, "Consul discovery or Connect needs Consul: services use provider consul"
)
DISCOVERY_CONNECT_FALLBACK = _code(
    "D009", WARN, "A reference between groups that cannot use Connect was rendered by a Consul template"
)
# Names that stay as they are (translator/discovery/names.py, docs/discovery.md)
NAME_SERVED = _code(
    "D010", INFO, "A name the application uses resolves in its allocation: extra_hosts and a forwarder"
)
NAME_NOT_SERVED = _code("D011", WARN, "A name the application may use cannot be served; it does not resolve")
IMAGE_PORT_ASSUMED = _code(
    "D012", INFO, "A target declares no port: the documented port of its well-known image was registered"
)
NAMES_BOUND = _code(
    "D013",
    WARN,
    "A namespace has more Services, or a StatefulSet more Pods, than are served by name to each workload",
)
NAME_CONNECT_FALLBACK = _code(
    "D014", WARN, "A name under Connect is forwarded by nginx over Consul instead of an Envoy upstream"
)

# Checks and start-up (C): health checks, probes and start-up order (translator/mapper/checks.py,
# translator/mapper/startup.py, docs/checks.md)
CHECK_NATIVE = _code("C001", INFO, "A health check or probe became a native http or tcp check")
CHECK_SCRIPT = _code(
    "C002", INFO, "A health check command became a Consul script check that runs inside the task"
)
CHECK_NEEDS_CONSUL = _code(
    "C003", WARN, "A script check needs the Consul provider; with the Nomad provider it was dropped"
)
CHECK_GRPC_AS_TCP = _code(
    "C004", WARN, "A gRPC probe became a tcp check: the Nomad provider has no gRPC checks"
)
CHECK_TIMING = _code(
    "C005", WARN, "Check timings were approximated (retries, start period, sub-second durations)"
)
CHECK_IMAGE_DEFAULT = _code(
    "C006", WARN, "A healthcheck without a test keeps the image's HEALTHCHECK, which is not translated"
)
CHECK_PORT_ADDED = _code(
    "C007", INFO, "A port that a check probes was not declared; it was added and registered"
)
CHECK_READINESS = _code(
    "C008", WARN, "A readiness probe only gates discovery; nomadService still returns failing instances"
)
CHECK_STARTUP = _code(
    "C009", WARN, "A startup probe has no Nomad equivalent; it lengthens the liveness check's grace"
)
CHECK_UNTRANSLATABLE = _code("C010", WARN, "A health check or probe could not be translated; no check")
WAIT_TASK = _code("C011", INFO, "A prestart task waits until a dependency in another group is registered")
WAIT_NO_SERVICE = _code(
    "C012", WARN, "A start-up dependency registers no service to wait for; the order was dropped"
)
ORDER_LIFECYCLE = _code("C013", INFO, "Start-up order inside one group became a lifecycle hook")
ORDER_DROPPED = _code("C014", WARN, "Start-up order that Nomad cannot express was dropped")
WAIT_NOT_HEALTHY = _code(
    "C015", WARN, "service_healthy with the Nomad provider: the wait ends at registration, not health"
)
CHECK_CONNECT = _code("C016", WARN, "A tcp check on a Connect service was dropped: Nomad refuses them")
CHECK_STRICTER_STATUS = _code(
    "C017", WARN, "A health check that passed on any HTTP status became an http check that fails on errors"
)


@record(frozen=True, slots=True)
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
        return f"{self.position.short}: {SEVERITY_TEXT[self.severity]} {self.code}: {self.message}{hint}"


_ORDER = attrgetter("position", "code", "message")  # (position, code, message), made in C


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
        if needs_showing(message) or needs_showing(hint):  # kept variables read as ${NAME}
            message, hint = shown(message), shown(hint)
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
        return sorted(self.items, key=_ORDER)

    def __len__(self) -> int:
        return len(self.items)
