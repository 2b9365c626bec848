"""Names that stay as they are: client workload + the targets it may reach → names that resolve in
its allocation.

Each target a client may reach gets a loopback address (``127.0.x.y``, planned per job), every docker
task of the client's group gets the whole ``name:address`` list in ``extra_hosts`` (Nomad writes the
allocation's shared hosts file from the first task to start), and a forwarder listens on the
address and each port the application uses: an nginx stream sidecar whose config is a template over
``nomadService`` / ``service``, or, under ``--discovery connect``, an upstream bound to the address
(Envoy). Names of the client's own group resolve to ``127.0.0.1``. Which targets a client may reach is
``--serve-names`` (docs/discovery.md, "Names that stay as they are"); the facts are in
``reference/nomad-networking.md`` §12.

Two stages, like the rest of discovery: ``plan_names`` reads the neutral model before ports are
mapped (it registers the documented ports of well-known images that declare none), and
``serve_names`` builds the forwarders once the groups and their services exist. Every decision is a
``Wire(kind="name")`` on the client's group; ``translator/mapper/hosts.py`` writes them into the
tasks last, when no more tasks are added.
"""

from __future__ import annotations

from dataclasses import field

from translator import findings as codes
from translator.discovery.forwarder import Listener, connect_upstreams, forwarded_by, forwarder_task
from translator.discovery.references import References, names_table
from translator.discovery.rewrite import Placed
from translator.findings import Findings
from translator.image_ports import default_ports
from translator.mapper.names import dns_label
from translator.model import ContainerPort, Endpoint, Project, Workload
from translator.nomad import (
    EnvRef,
    Group,
    Interpolated,
    Service,
    Wire,
)
from translator.options import Options
from translator.records import record
from translator.source import Position

LOCALHOST = "127.0.0.1"
# Kubernetes: by default every workload may reach every Service of its namespace. Past this many
# Services a namespace is not served whole (the output would grow with its square); references stay
# rewritten, and a finding names the namespace.
NAMESPACE_BOUND = 32
# A StatefulSet's Pods are served by name up to this many instances (each gets its own address).
INSTANCE_BOUND = 16
# The tag that tells a StatefulSet's instances apart in the catalog; Nomad interpolates service tags
# on the client (client/taskenv/services.go), so each instance registers its own index.
INSTANCE_TAG = "pod-"


@record
class Reach:
    """One target a client may reach, and why: the names it is known by and where that was seen."""

    target: Workload
    endpoint: Endpoint | None  # a Kubernetes Service; None: every name and port of the target
    names: list[str]
    position: Position
    reason: str
    instance: int | None = None  # one instance of a StatefulSet (its allocation index), by its Pod name
    seen: bool = True  # False: in reach (its namespace), with nothing showing the client uses it


@record
class NamePlan:
    reaches: dict[str, list[Reach]] = field(default_factory=dict)  # client workload name → its targets
    ports_registered: bool = False  # a well-known image's port was registered on a target


def plan_names(project: Project, references: References, options: Options, findings: Findings) -> NamePlan:
    """Which targets each client reaches by name, per ``--serve-names``; registers the documented port
    of a well-known image on a target that declares none."""
    plan = NamePlan()
    if options.serve_names == "off":
        return plan
    owners = {c.name: w for w in project.workloads for c in w.containers}
    by_name = {w.name: w for w in project.workloads}
    named: dict[str, set[str]] = {}  # client → the targets its values name
    for value in references.values:
        named.setdefault(value.workload, set()).update(r.target for r in value.references)
    namespaces = _services_by_namespace(project) if project.job_per_workload else {}
    for workload in project.workloads:
        reaches: dict[tuple[str, str], Reach] = {}
        for dependency in workload.depends_on:
            target = owners.get(dependency.target)
            if dependency.condition == "completed":
                continue  # a one-shot task that must finish first: an order, not a connection
            if target is None or (
                options.serve_names == "auto" and target.name in named.get(workload.name, ())
            ):
                continue  # undefined (reported by the loader), or its address is rewritten
            _add(reaches, target, None, dependency.position, f"it depends on {dependency.target!r}")
        _carried_files(project, references, workload, reaches)
        services = namespaces.get(workload.namespace or "default", [])
        if len(services) <= NAMESPACE_BOUND:
            for target, endpoint in services:
                if target is not workload:
                    _add(
                        reaches,
                        target,
                        endpoint,
                        endpoint.position,
                        f"Service {endpoint.name!r} is in its namespace",
                        seen=False,
                    )
                if target.instance_service == endpoint.name:  # a StatefulSet reaches its own Pods too
                    _instances(target, endpoint, reaches)
        if options.serve_names == "all":
            _referenced(project, references, workload, by_name, reaches)
        if reaches:
            plan.reaches[workload.name] = list(reaches.values())
    _bound_findings(namespaces, findings)
    plan.ports_registered = _image_ports(plan, findings)
    return plan


def _instances(target: Workload, endpoint: Endpoint, reaches: dict[tuple[str, str], Reach]) -> None:
    """A StatefulSet's Pods by name (``web-0.nginx`` in every DNS form): each leads to the instance
    of that allocation index."""
    for index in range(min(target.count, INSTANCE_BOUND)):
        pod = f"{target.name}-{index}"
        key = (target.name, f"{endpoint.name}#{index}")
        if key not in reaches:
            names = [f"{pod}.{host}" for host in endpoint.hostnames or [endpoint.name]]
            reason = f"Pod {pod} of StatefulSet {target.name!r} under Service {endpoint.name!r}"
            reaches[key] = Reach(target, endpoint, names, endpoint.position, reason, index, seen=False)


def _add(
    reaches: dict[tuple[str, str], Reach],
    target: Workload,
    endpoint: Endpoint | None,
    position: Position,
    reason: str,
    seen: bool = True,
) -> None:
    key = (target.name, endpoint.name if endpoint else "")
    if key not in reaches:
        reaches[key] = Reach(target, endpoint, _names_of(target, endpoint), position, reason, seen=seen)


def _referenced(
    project: Project,
    references: References,
    workload: Workload,
    by_name: dict[str, Workload],
    reaches: dict[tuple[str, str], Reach],
) -> None:
    """--serve-names all: every target a value names (the values stay as written)."""
    for value in references.values:
        if value.workload != workload.name:
            continue
        for ref in value.references:
            if not ref.target:
                continue  # an ExternalName host: a DNS alias, which a hosts file cannot give
            target = by_name[ref.target]
            endpoint = _endpoint(target, ref.endpoint) if project.job_per_workload else None
            _add(reaches, target, endpoint, ref.position, f"{_label(value.where, value.key)} names it")


def _names_of(target: Workload, endpoint: Endpoint | None) -> list[str]:
    if endpoint is not None:
        return list(endpoint.hostnames or [endpoint.name])
    names = [e.name for e in target.endpoints if e.kind != "external"]
    names += [c.hostname for c in target.containers if c.hostname]
    return list(dict.fromkeys(names))


def _endpoint(target: Workload, name: str) -> Endpoint | None:
    return next((e for e in target.endpoints if e.name == name), None)


def _label(where: str, key: str) -> str:
    return key if where == "env" else f"{where}[{key}]"


def _carried_files(
    project: Project, references: References, workload: Workload, reaches: dict[tuple[str, str], Reach]
) -> None:
    """Names of other workloads inside files the job carries (a bind-mounted nginx.conf)."""
    files = [v for c in workload.containers for v in c.volumes if v.content]
    if not files:
        return
    table, pattern = names_table(project, references, workload)
    if pattern is None:
        return
    for volume in files:
        for match in pattern.finditer(volume.content or ""):
            name = table[match.group(0).lower()]
            if name.workload is None or name.workload is workload:
                continue
            endpoint = name.endpoint if project.job_per_workload else None
            reason = f"{volume.target} names {match.group(0)!r}"
            _add(reaches, name.workload, endpoint, volume.position, reason)


def _services_by_namespace(project: Project) -> dict[str, list[tuple[Workload, Endpoint]]]:
    found: dict[str, list[tuple[Workload, Endpoint]]] = {}
    for workload in project.workloads:
        for endpoint in workload.endpoints:
            if endpoint.kind == "service":
                found.setdefault(endpoint.namespace or "default", []).append((workload, endpoint))
    return found


def _bound_findings(namespaces: dict[str, list[tuple[Workload, Endpoint]]], findings: Findings) -> None:
    for namespace, services in namespaces.items():
        if len(services) > NAMESPACE_BOUND:
            findings.add(
                codes.NAMES_BOUND,
                services[0][1].position,
                f"namespace {namespace!r} has {len(services)} Services, more than {NAMESPACE_BOUND}: "
                "their names are not served to every workload of the namespace; values that name them "
                "are still rewritten",
                "names in code or images stay unresolved: split the namespace, or serve them with "
                "--serve-names all (references) or by hand",
            )
        for workload, endpoint in services:
            if workload.instance_service == endpoint.name and workload.count > INSTANCE_BOUND:
                findings.add(
                    codes.NAMES_BOUND,
                    workload.count_position or workload.position,
                    f"StatefulSet {workload.name!r} has {workload.count} replicas: only the Pod names of "
                    f"the first {INSTANCE_BOUND} ({workload.name}-0 to {workload.name}-{INSTANCE_BOUND - 1}) "
                    "are served",
                    "reach the others through their Service name, or by hand",
                    subject=workload.name,
                )


def _image_ports(plan: NamePlan, findings: Findings) -> bool:
    """A target that declares no port: the port its image is documented to listen on, if well known."""
    done: set[str] = set()
    registered = False
    for reaches in plan.reaches.values():
        for reach in reaches:
            target = reach.target
            if target.name in done or any(c.ports for c in target.containers) or reach.endpoint is not None:
                continue
            done.add(target.name)
            for container in target.containers:
                ports = default_ports(container.image)
                for port in ports:
                    container.ports.append(
                        ContainerPort(port.port, container.position, port.protocol, exposed_only=True)
                    )
                if ports:
                    registered = True
                    shown = ", ".join(f"{p.port}/{p.protocol}" for p in ports)
                    findings.add(
                        codes.IMAGE_PORT_ASSUMED,
                        container.position,
                        f"{container.name!r} declares no port; its image {container.image!r} listens on "
                        f"{shown} by default ({ports[0].source}): registered so that others can reach it",
                        f"declare the port (expose) if {container.name!r} listens elsewhere",
                        subject=target.name,
                    )
    return registered


# ----- stage 2: forwarders, once the groups exist -----


def serve_names(plan: NamePlan, placed: list[Placed], options: Options, findings: Findings) -> None:
    """Addresses, forwarders and ``Wire`` records for every client of ``plan``."""
    by_workload = {p.workload.name: p for p in placed}
    addresses = _Addresses()
    for client_name, reaches in plan.reaches.items():
        client = by_workload.get(client_name)
        if client is None:
            continue
        if client.group.network.mode != "bridge":
            for reach in reaches:
                _not_served(
                    findings,
                    client,
                    reach,
                    f"{client.group.name!r} uses {client.group.network.mode} networking, and extra_hosts "
                    "with a forwarder need bridge mode",
                    "pass the address in a variable the application reads, or resolve it with Consul DNS",
                )
            continue
        listeners: list[Listener] = []
        for reach in reaches:
            target = by_workload.get(reach.target.name)
            if target is not None:
                listeners += _serve_reach(client, target, reach, addresses, options, findings)
        upstreams = [item for item in listeners if item.via == "connect"]
        if upstreams:
            connect_upstreams(client, upstreams)
        proxied = [item for item in listeners if item.via != "connect"]
        if proxied:
            client.group.tasks.append(forwarder_task(client.group, proxied))


class _Addresses:
    """Loopback addresses handed out in order, one per target (or StatefulSet Pod) and job."""

    def __init__(self) -> None:
        self.given: dict[tuple[int, str, str], str] = {}
        self.count: dict[int, int] = {}

    def peek(self, job: int, target: str, endpoint: str) -> str:
        found = self.given.get((job, target, endpoint))
        if found is None:
            index = self.count.get(job, 0)
            found = f"127.0.{1 + index // 254}.{1 + index % 254}"
        return found

    def take(self, job: int, target: str, endpoint: str, address: str) -> None:
        if (job, target, endpoint) not in self.given:
            self.given[(job, target, endpoint)] = address
            self.count[job] = self.count.get(job, 0) + 1


def _serve_reach(
    client: Placed, target: Placed, reach: Reach, addresses: _Addresses, options: Options, findings: Findings
) -> list[Listener]:
    """One target's names for one client: 127.0.0.1 in its own group, else an address and listeners."""
    if target is client and reach.instance is None:  # the same network namespace: localhost
        for name in reach.names:
            client.group.wiring.append(_wire(client, reach, name, LOCALHOST, None))
        _served(findings, client, reach, LOCALHOST, "it is in the same group")
        return []
    key = (id(client.job), reach.target.name, _endpoint_key(reach))
    address = addresses.peek(*key)
    served = _target_listeners(client, target, reach, address, options, findings)
    if served:  # an address is taken only by a target that is served
        addresses.take(*key, address)
        for listener in served:
            client.group.wiring += [_wire(client, reach, name, address, listener) for name in reach.names]
        shown = ", ".join(f"{item.port}/{item.protocol} ({forwarded_by(item)})" for item in served)
        _served(findings, client, reach, address, f"port {shown}")
    return served


def _wire(client: Placed, reach: Reach, name: str, address: str, listener: Listener | None) -> Wire:
    wire = Wire("name", client.workload.name, reach.target.name, "local", reach.position)
    wire.name, wire.address, wire.reason, wire.seen = name, address, reach.reason, reach.seen
    if listener is not None:
        wire.via, wire.service, wire.port = listener.via, listener.service.name, listener.port
        wire.protocol = listener.protocol
    return wire


def _endpoint_key(reach: Reach) -> str:
    name = reach.endpoint.name if reach.endpoint else ""
    return name if reach.instance is None else f"{name}#{reach.instance}"


def _target_listeners(
    client: Placed, target: Placed, reach: Reach, address: str, options: Options, findings: Findings
) -> list[Listener]:
    """One listener per port of the target as the application knows it, leading to its registration."""
    wanted: list[tuple[int, int, str]] = []  # (port clients use, container port, protocol)
    if reach.endpoint is not None and reach.endpoint.ports:
        wanted = [(p.port, p.target, p.protocol.lower()) for p in reach.endpoint.ports]
    else:
        wanted = [
            (p.target, p.target, p.protocol.lower()) for c in target.workload.containers for p in c.ports
        ]
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        _not_served(
            findings,
            client,
            reach,
            f"{reach.target.name!r} declares no port and its image {reach.target.containers[0].image!r} "
            "has no documented default here",
            f"declare the port {reach.target.name!r} listens on (expose) so that the name can be served",
        )
        return []
    own = {p.to if p.to is not None else p.static for p in client.group.network.ports}
    listeners: list[Listener] = []
    for port, container_port, protocol in wanted:
        if protocol not in ("tcp", "udp"):
            _not_served(
                findings,
                client,
                reach,
                f"port {port} is {protocol}, which neither nginx nor Envoy forwards",
                f"make the application reach {reach.target.name!r} through a variable (a rewritten address)",
                port,
            )
            continue
        service = _registration(target.group, container_port, reach.endpoint)
        if service is None:
            _not_served(
                findings,
                client,
                reach,
                f"{reach.target.name!r} registers no service for port {container_port}",
                f"declare the port on {reach.target.name!r} so that it is registered",
                port,
            )
            continue
        if port in own:
            _not_served(
                findings,
                client,
                reach,
                f"{client.group.name!r} listens on port {port} itself, so no forwarder can listen on it "
                "in the same allocation",
                f"make the application reach {reach.target.name!r} through a variable (a rewritten address)",
                port,
            )
            continue
        via, tag = service.provider, ""
        if reach.instance is not None:
            tag = f"{INSTANCE_TAG}{reach.instance}"
            _tag_instances(service)
        if options.discovery == "connect" and tag:  # an upstream reaches every instance, never one
            via = "consul"
            if port == wanted[0][0]:  # once per Pod
                findings.add(
                    codes.NAME_CONNECT_FALLBACK,
                    reach.position,
                    f"{client.workload.name!r} reaches Pod {reach.names[0].split('.')[0]!r} by name through "
                    "an nginx forwarder over Consul, not Connect: an upstream balances over every instance",
                    "the traffic is not in the service mesh; allow it in your network policy",
                    subject=client.workload.name,
                )
        elif options.discovery == "connect":
            bridged = client.group.network.mode == target.group.network.mode == "bridge"
            if protocol == "tcp" and bridged and service.provider == "consul":
                via = "connect"
            else:
                findings.add(
                    codes.NAME_CONNECT_FALLBACK,
                    reach.position,
                    f"{client.workload.name!r} reaches {reach.target.name!r} on {port}/{protocol} by name "
                    "through an nginx forwarder over Consul, not Connect: "
                    + (
                        "Envoy upstreams carry TCP only"
                        if protocol != "tcp"
                        else "Connect needs bridge networking in both groups"
                    ),
                    "the traffic is not in the service mesh; allow it in your network policy",
                    subject=client.workload.name,
                )
        listeners.append(Listener(address, port, protocol, service, container_port, via, tag))
    return listeners


def _tag_instances(service: Service) -> None:
    """Each instance registers its allocation index as a tag, so that one Pod name finds one instance."""
    tag = Interpolated([INSTANCE_TAG, EnvRef("NOMAD_ALLOC_INDEX")])
    if tag not in service.tags:
        service.tags.append(tag)


def _registration(group: Group, container_port: int, endpoint: Endpoint | None) -> Service | None:
    """The service registered for the port; a Kubernetes Service's own registration when it has one."""
    label = next((p.label for p in group.network.ports if container_port in (p.to, p.static)), None)
    registered = [s for s in group.services if label and s.port == label]
    own = dns_label(endpoint.name) if endpoint is not None else ""
    return next((s for s in registered if s.name == own), registered[0] if registered else None)


def _served(findings: Findings, client: Placed, reach: Reach, address: str, detail: str) -> None:
    names = ", ".join(reach.names)
    findings.add(
        codes.NAME_SERVED,
        reach.position,
        f"{client.workload.name!r} reaches {reach.target.name!r} by name ({reach.reason}): {names} → "
        f"{address}, {detail}",
        subject=client.workload.name,
    )


def _not_served(
    findings: Findings, client: Placed, reach: Reach, why: str, hint: str, port: int | None = None
) -> None:
    findings.add(
        codes.NAME_NOT_SERVED,
        reach.position,
        f"{client.workload.name!r} may reach {reach.target.name!r} by name ({reach.reason})"
        + (f" on port {port}" if port else "")
        + f", but it cannot be served: {why}",
        hint,
        subject=client.workload.name,
    )
