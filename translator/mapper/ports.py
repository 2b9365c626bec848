"""Container ports → group ``port`` blocks and the services that register them."""

from __future__ import annotations

from translator import findings as codes
from translator.findings import Findings
from translator.mapper.names import NameSpace, port_label
from translator.model import ContainerPort, Workload
from translator.nomad import Port
from translator.options import Options
from translator.records import record

# Conventional names for well-known container ports, used when the source names none.
WELL_KNOWN = {
    21: "ftp", 22: "ssh", 25: "smtp", 53: "dns", 80: "http", 110: "pop3", 143: "imap", 389: "ldap",
    443: "https", 587: "submission", 1433: "mssql", 1521: "oracle", 1883: "mqtt", 2181: "zookeeper",
    2379: "etcd", 3000: "http", 3306: "mysql", 4222: "nats", 4317: "otlp_grpc", 4318: "otlp_http",
    5000: "http", 5432: "postgres", 5601: "kibana", 5672: "amqp", 6379: "redis", 7000: "cassandra",
    8000: "http", 8080: "http", 8443: "https", 8500: "consul", 9000: "http", 9042: "cql", 9090: "prometheus",
    9092: "kafka", 9200: "elasticsearch", 9300: "elasticsearch_transport", 11211: "memcached",
    15672: "amqp_admin", 27017: "mongodb",
}  # fmt: skip


@record
class MappedPort:
    """One group port and where it came from."""

    port: Port
    source: ContainerPort
    container: str
    registered: bool = True


def _host_network_name(host_ip: str) -> str:
    if host_ip in ("127.0.0.1", "::1", "localhost"):
        return "loopback"
    return "ip_" + "".join(c if c.isalnum() else "_" for c in host_ip).strip("_")


def map_ports(
    workload: Workload, options: Options, findings: Findings, labels: NameSpace
) -> list[MappedPort]:
    """Every declared container port gets one label; TCP and UDP on one number share it."""
    result: list[MappedPort] = []
    by_key: dict[tuple[int, str | None, str | None], MappedPort] = {}
    by_target: dict[int, MappedPort] = {}
    host_mode = workload.network_mode == "host"
    for container in workload.containers:
        for source in container.ports:
            published = None if host_mode or source.exposed_only else source.published
            host_ip = None if host_mode else source.host_ip
            key = (source.target, published, host_ip)
            # Containers of one workload share a namespace: a port declared twice (an `expose` on
            # a service that joined another's network, say) is one socket, not two.
            same = by_key.get(key) or (by_target.get(source.target) if published is None else None)
            if same is not None:
                _note_protocol(same, source, workload, findings)
                continue
            port = _port(source, published, host_ip, host_mode, options, findings, workload)
            mapped = MappedPort(port, source, container.name)
            mapped.port.label = _claim_label(source, labels)
            if source.protocol != "tcp":
                _note_protocol(mapped, source, workload, findings)
            by_key[key] = mapped
            by_target.setdefault(source.target, mapped)
            result.append(mapped)
    return result


def _claim_label(source: ContainerPort, labels: NameSpace) -> str:
    """The source's name, else a well-known name, else ``port_<n>``; numbered only as a last resort."""
    number = f"port_{source.target}"
    wanted = port_label(source.name) if source.name else WELL_KNOWN.get(source.target, number)
    if wanted.lower() in labels.taken and number.lower() not in labels.taken:
        wanted = number
    return labels.claim(wanted, "_")


def _note_protocol(mapped: MappedPort, source: ContainerPort, workload: Workload, findings: Findings) -> None:
    if source.protocol == "sctp":
        findings.add(
            codes.PORT_SCTP,
            source.position,
            f"SCTP port {source.target} cannot be mapped by Nomad",
            "run the workload with host networking, or change the protocol",
            subject=workload.name,
        )
    elif source.protocol != mapped.source.protocol or (source is mapped.source and source.protocol == "udp"):
        findings.add(
            codes.PORT_PROTOCOL,
            source.position,
            f"port {source.target}/{source.protocol}: Nomad maps TCP and UDP together on port "
            f"{mapped.port.label!r}",
            subject=workload.name,
        )


def _port(
    source: ContainerPort,
    published: str | None,
    host_ip: str | None,
    host_mode: bool,
    options: Options,
    findings: Findings,
    workload: Workload,
) -> Port:
    if host_mode:
        if source.published and source.published != str(source.target):
            findings.add(
                codes.PORT_HOST_MODE,
                source.position,
                f"under host networking the process listens on {source.target} itself; "
                f"the published port {source.published} is ignored, as Compose ignores it",
                subject=workload.name,
            )
        return Port("", static=source.target)
    port = Port("", to=source.target)
    if source.exposed_only:
        findings.add(
            codes.PORT_EXPOSED,
            source.position,
            f"internal port {source.target} gets a dynamic host port so that other allocations can reach it; "
            "it is reachable from the client's network",
            "restrict it with a firewall or a host_network, or use Consul Connect",
            subject=workload.name,
        )
    if published:
        if "-" in published:
            findings.add(
                codes.PORT_RANGE,
                source.position,
                f"host port range {published} for container port {source.target} became one dynamic port",
                "find the port through service discovery",
                subject=workload.name,
            )
        elif source.keep_static:
            port.static = int(published)  # the parser reported it (Kubernetes hostPort, NodePort)
        elif options.static_ports:
            port.static = int(published)
            findings.add(
                codes.PORT_STATIC,
                source.position,
                f"host port {published} is kept as a static port",
                "only one allocation per client can use it; drop --static-ports to get a dynamic port",
                subject=workload.name,
            )
        else:
            findings.add(
                codes.PORT_DYNAMIC,
                source.position,
                f"host port {published} for container port {source.target} became a dynamic port",
                "reach it through service discovery, or pass --static-ports to keep the number",
                subject=workload.name,
            )
    if host_ip and host_ip not in ("0.0.0.0", "::"):
        port.host_network = _host_network_name(host_ip)
        findings.add(
            codes.PORT_HOST_IP,
            source.position,
            f"port bound to {host_ip} uses host_network {port.host_network!r}",
            f'define it in each client\'s configuration: host_network "{port.host_network}" '
            f'{{ cidr = "{host_ip}/{128 if ":" in host_ip else 32}" }}',
            subject=workload.name,
        )
    return port
