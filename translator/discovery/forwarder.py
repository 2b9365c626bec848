"""Listeners → the forwarder that serves them: an nginx stream sidecar task whose configuration is
a template over ``nomadService`` / ``service``, or Connect upstreams bound to the names' addresses.

``translator/discovery/names.py`` decides which names a client reaches and on which address and
port; this module only writes the blocks that listen there.
"""

from __future__ import annotations

from collections.abc import Iterable

from translator.discovery.rewrite import ADDRESS_ACTION, Placed, connect_service_of, lookup_function
from translator.nomad import (
    Connect,
    DockerConfig,
    Group,
    Lifecycle,
    Resources,
    Service,
    Task,
    Template,
    Upstream,
)
from translator.records import record

FORWARDER_TASK = "name-forwarder"
# The official image: its stream module is built in (Debian's nginx loads it as a module instead).
FORWARDER_IMAGE = "nginx:1.27-alpine"
FORWARDER_CONFIG = "local/nginx.conf"
# Each proxied connection holds two of them; a UDP session holds them until it ends.
WORKER_CONNECTIONS = 4096
# How long an idle session lives (nginx's default is 10 minutes for both). UDP: a "session" is one
# client address and port, so one-shot queries from new ports would run out the connections. TCP:
# a direct connection is never closed for being idle, and pooled database connections idle longer.
_IDLE = {"udp": "    proxy_timeout 30s;", "tcp": "    proxy_timeout 24h;"}


@record(frozen=True)
class Listener:
    address: str
    port: int  # as the application knows it
    protocol: str  # tcp | udp
    service: Service  # the registration it leads to
    container_port: int
    via: str  # nomad | consul (an nginx forwarder over nomadService / service) | connect (Envoy)
    tag: str = ""  # only the instances with this tag (one StatefulSet Pod)

    @property
    def lookup(self) -> str:
        return f"{self.tag}.{self.service.name}" if self.tag else self.service.name


def forwarded_by(listener: Listener) -> str:
    if listener.via == "connect":
        return f"Connect upstream {listener.service.name!r}"
    function = lookup_function(listener.service)
    return f'nginx over {function} "{listener.lookup}"'


def connect_upstreams(client: Placed, listeners: list[Listener]) -> None:
    """Envoy listens on the name's address and the port the application uses."""
    own = connect_service_of(client)
    assert own.connect is not None
    for listener in listeners:
        if listener.service.connect is None:
            listener.service.connect = Connect(local_service_port=listener.container_port)
        own.connect.upstreams.append(Upstream(listener.service.name, listener.port, listener.address))


def forwarder_config(listeners: Iterable[Listener]) -> str:
    """The nginx stream configuration, a template: a target with no instance has no server block, so
    connecting to it is refused; every instance is a server of its upstream (balanced)."""
    lines = [
        "# Names served to this allocation (translate --serve-names): one listener per address and port.",
        "worker_processes 1;",
        "error_log stderr notice;",
        # A reload leaves the old worker serving its open connections; past this they are closed,
        # so that instance changes do not pile up workers in the sidecar's memory.
        "worker_shutdown_timeout 5m;",
        "events {",
        f"  worker_connections {WORKER_CONNECTIONS};",
        "}",
        "stream {",
    ]
    for item in listeners:
        function = lookup_function(item.service)
        upstream = f"to_{item.address.replace('.', '_')}_{item.port}_{item.protocol}"
        listen = f"{item.address}:{item.port}" + (" udp" if item.protocol == "udp" else "")
        lines += [
            f'{{{{- with {function} "{item.lookup}" }}}}',
            f"  upstream {upstream} {{",
            "{{- range . }}",
            f"    server {ADDRESS_ACTION}:{{{{ .Port }}}};",
            "{{- end }}",
            "  }",
            "  server {",
            f"    listen {listen};",
            f"    proxy_pass {upstream};",
            _IDLE[item.protocol],
            "  }",
            "{{- end }}",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def forwarder_task(group: Group, listeners: list[Listener]) -> Task:
    taken = {t.name for t in group.tasks}
    name = FORWARDER_TASK
    while name in taken:
        name += "-1"
    return Task(
        name=name,
        config=DockerConfig(
            image=FORWARDER_IMAGE, args=["nginx", "-c", "/" + FORWARDER_CONFIG, "-g", "daemon off;"]
        ),
        lifecycle=Lifecycle("prestart", sidecar=True),
        resources=Resources(cpu=50, memory=32),
        templates=[
            Template(
                forwarder_config(listeners),
                FORWARDER_CONFIG,
                env=False,
                change_mode="signal",
                change_signal="SIGHUP",  # nginx reloads its configuration
            )
        ],
        comment="serves the names other services are known by (docs/discovery.md)",
    )
