"""Health checks and probes → ``check`` blocks on the services that register the probed ports.

Two steps. Before ports are mapped, ``register_check_ports`` declares on the model any port a
check probes that no container declared: Nomad and Consul check from outside the allocation,
so the port needs a host mapping and a service. After the group is built, ``attach_checks``
turns each ``HealthCheck`` into a ``Check`` for the group's provider (``nomad``: http and tcp
only; ``consul``: http, tcp, grpc and script; see nomad/structs/services.go, validateNomad and
validateConsul) and attaches it to every service registered for that port.
"""

from __future__ import annotations

import math
import re
from dataclasses import field

from translator import findings as codes
from translator.compose.normalize import format_duration
from translator.findings import Findings
from translator.mapper.names import NameSpace, dns_label
from translator.mapper.ports import MappedPort
from translator.model import Container, ContainerPort, HealthCheck, Project, Workload
from translator.nomad import Check, CheckRestart, Group, Service
from translator.options import Options
from translator.records import record

HEADER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
MIN_SECONDS = 1.0  # Nomad refuses a check interval or timeout below 1s (minCheckInterval)


def resolve_port(check: HealthCheck, workload: Workload, container: Container) -> int | None:
    """The container port number a check probes: a number, or a port name (own container first)."""
    if isinstance(check.port, int):
        return check.port
    if check.port is None:
        return None
    for candidate in [container, *workload.containers]:
        for port in candidate.ports:
            if port.name == check.port:
                return port.target
    return None


def describe(check: HealthCheck, workload: Workload) -> str:
    return "healthcheck" if workload.kind == "Compose service" else f"{check.purpose} probe"


def register_check_ports(project: Project, findings: Findings) -> None:
    """Declare the ports checks probe that no container declared, so that they are mapped."""
    for workload in project.workloads:
        declared = {p.target for c in workload.containers for p in c.ports}
        for container in workload.containers:
            for check in container.checks:
                number = resolve_port(check, workload, container)
                if (
                    number is None
                    or number in declared
                    or check.kind == "script"
                    or check.purpose == "startup"
                ):
                    continue
                if workload.network_mode == "none":
                    continue  # no ports at all there; attach_checks reports the check
                declared.add(number)
                container.ports.append(ContainerPort(number, check.position))
                findings.add(
                    codes.CHECK_PORT_ADDED,
                    check.position,
                    f"{describe(check, workload)} of {container.name!r} probes port {number}, which is "
                    "not declared: it was added to the group network "
                    "and registered, because Nomad checks it from outside the allocation",
                    f"declare port {number} in the source (expose, or a container port)",
                    subject=workload.name,
                )


@record
class _Attach:
    """One group's check attachment: the approximations are reported once per workload."""

    workload: Workload
    group: Group
    mapped: list[MappedPort]
    options: Options
    findings: Findings
    service_names: NameSpace
    notes: list[str] = field(default_factory=list)

    def run(self) -> None:
        for container, task in zip(self.workload.containers, self.group.tasks, strict=False):
            startup = [c for c in container.checks if c.purpose == "startup"]
            for check in container.checks:
                if check.purpose != "startup":
                    self.attach(check, container, task.name, startup)
            for check in startup:
                if not any(c.purpose == "liveness" for c in container.checks):
                    self.findings.add(
                        codes.CHECK_STARTUP,
                        check.position,
                        f"startup probe of {container.name!r} ({check.source}) has no Nomad equivalent and "
                        "no liveness probe follows it; it was dropped",
                        subject=self.workload.name,
                    )
        if self.notes:
            self.findings.add(
                codes.CHECK_TIMING,
                self.workload.position,
                f"checks of {self.workload.name!r}: " + "; ".join(dict.fromkeys(self.notes)),
                "adjust check_restart, interval and timeout if the application needs other values",
                subject=self.workload.name,
            )

    def attach(self, check: HealthCheck, container: Container, task: str, startup: list[HealthCheck]) -> None:
        built = self.build(check, container, task)
        if built is None:
            return
        label = built.port
        services = self.services_for(label, check)
        built.port = ""  # the check uses its service's port
        if check.purpose == "liveness" and check.limit:
            grace = (check.grace or 0.0) + sum(self.startup_budget(s, container) for s in startup)
            built.check_restart = CheckRestart(limit=check.limit, grace=_duration(grace) if grace else None)
        shared = False
        for service in services:
            if any(_same(existing, built) for existing in service.checks):
                shared = True
                continue  # a readiness probe equal to the liveness probe: one check serves both
            names = {existing.name for existing in service.checks}
            copy = Check(**{**built.__dict__, "header": dict(built.header), "args": list(built.args)})
            copy.name = built.name if built.name not in names else f"{built.name}-{task}"
            if service is not services[0]:
                copy.check_restart = None  # one restart watcher per check is enough
            service.checks.append(copy)
        if check.purpose == "readiness":
            self.readiness(check, container, shared)

    def build(self, check: HealthCheck, container: Container, task: str) -> Check | None:
        kind = check.kind
        what = f"{describe(check, self.workload)} of {container.name!r} ({check.source})"
        consul = self.options.provider == "consul"
        if kind == "script" and not consul:
            self.findings.add(
                codes.CHECK_NEEDS_CONSUL,
                check.position,
                f"{what} runs a command: the Nomad provider has no script checks, so it was dropped",
                "pass --provider consul to get a script check, or give the service an HTTP endpoint "
                "or port to check",
                subject=self.workload.name,
            )
            return None
        label = ""
        if kind != "script":
            found = self.label_for(check, container)
            if found is None:
                self.findings.add(
                    codes.CHECK_UNTRANSLATABLE,
                    check.position,
                    f"{what} probes port {check.port!r}, which the group does not map; no check was made",
                    "declare the port on the container",
                    subject=self.workload.name,
                )
                return None
            label = found
        if kind == "grpc" and not consul:
            self.findings.add(
                codes.CHECK_GRPC_AS_TCP,
                check.position,
                f"{what} became a tcp check: it tells that the port accepts connections, not that the "
                "gRPC health service says SERVING",
                "pass --provider consul to get a grpc check",
                subject=self.workload.name,
            )
            kind = "tcp"
        built = Check(
            type=kind,
            name="healthcheck" if self.workload.kind == "Compose service" else check.purpose,
            interval=self.seconds(check.interval, "interval", 10.0),
            timeout=self.seconds(check.timeout, "timeout", 1.0),
            port=label,
        )
        if kind == "http":
            built.path = check.path or "/"
            built.method = check.method
            built.header = self.headers(check, what)
            built.protocol = "https" if check.scheme == "https" else None
        elif kind == "grpc":
            built.grpc_service = check.grpc_service
        elif kind == "script":
            assert check.command
            built.command, built.args, built.task = check.command[0], list(check.command[1:]), task
        if kind == "http" and check.any_status:
            self.stricter_status(check, what, built.path or "/", consul)
        if kind != check.kind:
            return built  # C004 said what it became
        self.findings.add(
            codes.CHECK_SCRIPT if kind == "script" else codes.CHECK_NATIVE,
            check.position,
            f"{what} became a check of type {kind}"
            + (f" on port {label!r}" if label else f" run in task {task!r}")
            + (f" at {built.path}" if built.path else ""),
            subject=self.workload.name,
        )
        if check.limit and check.purpose == "liveness" and self.workload.kind == "Compose service":
            self.notes.append(
                f"retries {check.limit} → check_restart limit = {check.limit}: Compose only marks the "
                "container unhealthy, Nomad restarts the task (the whole allocation for group services)"
            )
        if check.grace and check.purpose == "liveness" and self.workload.kind == "Compose service":
            self.notes.append(f"start_period {_duration(check.grace)} → check_restart grace")
        return built

    def stricter_status(self, check: HealthCheck, what: str, path: str, consul: bool) -> None:
        # Nomad's own checks pass below 400 (checks/client.go); Consul's pass on 2xx only
        fails = "a status other than 2xx" if consul else "a status of 400 or more"
        self.findings.add(
            codes.CHECK_STRICTER_STATUS,
            check.position,
            f"{what} passes on any HTTP answer (curl without -f), the http check fails on {fails}",
            f"make sure {path} answers with a success, and add -f to the healthcheck to say so",
            subject=self.workload.name,
        )

    def headers(self, check: HealthCheck, what: str) -> dict[str, list[str]]:
        """``header`` is a block: its keys are HCL identifiers, which every usual header name is."""
        kept: dict[str, list[str]] = {}
        for name, values in check.headers.items():
            if HEADER_NAME.match(name):
                kept[name] = list(values)
            else:
                self.findings.add(
                    codes.CHECK_UNTRANSLATABLE,
                    check.position,
                    f"header {name!r} of the {what} was left out: a check header block cannot name it",
                    subject=self.workload.name,
                )
        return kept

    def seconds(self, value: float | None, what: str, default: float) -> str:
        seconds = default if value is None else value
        if seconds < MIN_SECONDS:
            self.notes.append(f"{what} {_duration(seconds)} raised to 1s, Nomad's minimum")
            seconds = MIN_SECONDS
        return _duration(seconds)

    def label_for(self, check: HealthCheck, container: Container) -> str | None:
        number = resolve_port(check, self.workload, container)
        for mapped in self.mapped:
            if mapped.source.target == number:
                return mapped.port.label
        return None

    def services_for(self, label: str, check: HealthCheck) -> list[Service]:
        """The services registered for the port (any service for a script); one is made if none."""
        services = [s for s in self.group.services if not label or s.port == label]
        if services:
            # A script does not depend on the port: running it once, on the first service, is enough.
            return services if label else services[:1]
        base = self.group.services[0].name if self.group.services else self.group.name
        wanted = dns_label(f"{base}-{label.replace('_', '-')}") if self.group.services and label else base
        name = self.service_names.claim(wanted)
        service = Service(name=name, port=label, provider=self.options.provider)
        self.group.services.append(service)
        self.findings.add(
            codes.CHECK_PORT_ADDED,
            check.position,
            f"no service registered port {label!r}; service {name!r} was registered for its check"
            if label
            else f"no service was registered; service {name!r} was registered for its check",
            subject=self.workload.name,
        )
        return [service]

    def readiness(self, check: HealthCheck, container: Container, shared: bool) -> None:
        if shared:
            detail = "it checks what the liveness probe checks, so that one check serves both; "
        else:
            detail = "it became a check without restarts; "
        if self.options.provider == "consul":
            detail += "Consul's service lookups leave failing instances out, as Kubernetes does"
        else:
            detail += "nomadService still returns failing instances (Consul filters them)"
        self.findings.add(
            codes.CHECK_READINESS,
            check.position,
            f"readiness probe of {container.name!r}: {detail}",
            "use --provider consul so that callers only see ready instances"
            if self.options.provider != "consul"
            else "",
            subject=self.workload.name,
        )

    def startup_budget(self, check: HealthCheck, container: Container) -> float:
        """How long Kubernetes lets a startup probe fail: its delay plus threshold × period."""
        budget = (check.grace or 0.0) + (check.limit or 3) * (check.interval or 10.0)
        self.findings.add(
            codes.CHECK_STARTUP,
            check.position,
            f"startup probe of {container.name!r} ({check.source}) has no Nomad equivalent: its "
            f"{_duration(budget)} budget was added to the liveness check's check_restart grace",
            subject=self.workload.name,
        )
        return budget


def _same(a: Check, b: Check) -> bool:
    keys = ("type", "port", "path", "method", "protocol", "header", "grpc_service", "command", "args")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _duration(seconds: float) -> str:
    return format_duration(math.ceil(seconds * 10**9))


def attach_checks(
    workload: Workload,
    group: Group,
    mapped: list[MappedPort],
    options: Options,
    findings: Findings,
    service_names: NameSpace,
) -> None:
    if workload.network_mode == "none":
        for container in workload.containers:
            for check in container.checks:
                if check.kind != "script":
                    findings.add(
                        codes.CHECK_UNTRANSLATABLE,
                        check.position,
                        f"{container.name!r} has network_mode none: its {check.kind} check cannot reach it",
                        subject=workload.name,
                    )
        container_checks = [c for container in workload.containers for c in container.checks]
        if not any(c.kind == "script" for c in container_checks):
            return
    _Attach(workload, group, mapped, options, findings, service_names).run()


def adapt_to_connect(placed: list[tuple[Workload, Group]], findings: Findings) -> None:
    """Nomad refuses tcp checks on Connect services (validateConsulService); they are dropped.

    http and grpc checks stay as they are: the group still maps the service's port to the
    host, so Consul reaches it there. ``expose = true`` is not used: Nomad's expose hook needs
    a static or numeric service port to find the local port (job_endpoint_hook_expose_check.go).
    """
    for workload, group in placed:
        for service in group.services:
            if service.connect is None or not any(c.type == "tcp" for c in service.checks):
                continue
            service.checks = [c for c in service.checks if c.type != "tcp"]
            findings.add(
                codes.CHECK_CONNECT,
                workload.position,
                f"the tcp check of Connect service {service.name!r} was dropped: Nomad refuses tcp checks on "
                "Connect services",
                "give the service an HTTP health endpoint, or use a script check",
                subject=workload.name,
            )
