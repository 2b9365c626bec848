"""Stage 2 of discovery: a mapper step that rewrites references once the groups exist.

Per reference: the same group → ``localhost:<container port>``; ``--discovery nomad`` or
``consul`` → a ``template { env = true }`` that renders the value with the address from
``nomadService`` or ``service``, whichever reads the catalog the target is registered in
(its ``provider``); ``--discovery connect`` → a Connect upstream and
``${NOMAD_UPSTREAM_ADDR_<name>}``. Arguments cannot call a template: the template renders the
address into a variable and the argument refers to it (Nomad evaluates driver config with the
task environment, template variables included; see docs/discovery.md). Every reference rewritten is
also a ``Wire(kind="rewritten")`` on the caller's group, which is how the report knows of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import field

from translator import findings as codes
from translator.discovery.envfile import template_text
from translator.discovery.references import Reference, References, Value, sibling_prefix
from translator.findings import Findings
from translator.model import Workload
from translator.nomad import (
    Connect,
    EnvRef,
    Group,
    Interpolated,
    Job,
    Service,
    Task,
    Template,
    Upstream,
    Wire,
)
from translator.options import Options
from translator.records import record

# Nomad's runtime interpolation of env values (Layer B): literal text matching it cannot sit
# beside a deliberate reference in ``env``, so such a value is rendered by a template instead.
_RUNTIME = re.compile(r"\$\{[a-zA-Z0-9_\-.]+\}")
_NOT_ENV = re.compile(r"[^A-Za-z0-9_]+")
TEMPLATE_DESTINATION = "local/discovery.env"
# Envoy's inbound listener takes a dynamic port (20000-32000 by default) inside the namespace.
_DYNAMIC = range(20000, 32001)

# One instance's address, bracketed when it is IPv6 (templates add the port after it).
ADDRESS_ACTION = '{{ if .Address | contains ":" }}[{{ .Address }}]{{ else }}{{ .Address }}{{ end }}'
_BODIES = {"address": ADDRESS_ACTION + ":{{ .Port }}", "host": "{{ .Address }}", "port": "{{ .Port }}"}
# Where an argument sits in the task's driver config: Compose ``command`` is Nomad's ``args``.
_ARGUMENT_LISTS = {"command": "args", "entrypoint": "entrypoint"}
_UPSTREAM_VARS = {
    "address": "NOMAD_UPSTREAM_ADDR_",
    "host": "NOMAD_UPSTREAM_IP_",
    "port": "NOMAD_UPSTREAM_PORT_",
}


@record
class Placed:
    """Where a workload ended up: its job and group, and the task of each container."""

    workload: Workload
    job: Job
    group: Group

    def task(self, container: str) -> Task:
        index = next(i for i, c in enumerate(self.workload.containers) if c.name == container)
        return self.group.tasks[index]


@record
class _TaskTemplate:
    lines: dict[str, str] = field(default_factory=dict)  # env key → text after "KEY="


def discovery_action(function: str, service: str, kind: str) -> str:
    """One instance's address, host or port: nothing when the service has no instance."""
    opening = f'{{{{ with {function} "{service}" }}}}{{{{ with index . 0 }}}}'
    return opening + _BODIES[kind] + "{{ end }}{{ end }}"


def discovery_range(function: str, service: str, kind: str, prefix: str, suffix: str, separator: str) -> str:
    """Every instance, each as ``prefix`` address ``suffix``, joined by ``separator``."""
    sep = template_text(separator)
    before, after = template_text(prefix, before_action=True), template_text(suffix)
    return (
        f'{{{{ range $i, $s := {function} "{service}" }}}}{{{{ if $i }}}}{sep}{{{{ end }}}}'
        f"{before}{_BODIES[kind]}{after}{{{{ end }}}}"
    )


def lookup_function(service: Service) -> str:
    """The template function that finds ``service``: the one of the catalog it is registered in."""
    return "service" if service.provider == "consul" else "nomadService"


def env_name(text: str) -> str:
    return _NOT_ENV.sub("_", text).strip("_").upper()


class Rewriter:
    def __init__(self, placed: list[Placed], options: Options, findings: Findings) -> None:
        self.placed = {p.workload.name: p for p in placed}
        self.options = options
        self.findings = findings
        self.templates: dict[int, tuple[Task, _TaskTemplate]] = {}
        self.bind_ports: dict[tuple[int, str], int] = {}  # (caller group id, destination) → port
        self.paired: set[tuple[str, str, bool, str]]  # workload, container, in env, target = set()

    # -- entry point -------------------------------------------------------------------------

    def rewrite(self, references: References) -> None:
        # Callers that pass a target's port in a sibling variable: no dynamic-port warning for them.
        self.paired = {
            (v.workload, v.container, v.where == "env", r.target)
            for v in references.values
            for r in v.references
            if r.kind == "port"
        }
        for value in references.values:
            self._value(value, references)
        for task, template in self.templates.values():
            data = "".join(f"{key}={text}\n" for key, text in template.lines.items())
            task.templates.append(Template(data=data, destination=TEMPLATE_DESTINATION))

    def _value(self, value: Value, references: References) -> None:
        caller = self.placed.get(value.workload)
        if caller is None:
            return
        task = caller.task(value.container)
        rendered: list[str | tuple[Reference, Service | None]] = []
        for part in value.parts:
            if isinstance(part, str):
                rendered.append(part)
                continue
            service = self._service(part, caller, value)
            if part.external is None and part.target != caller.workload.name and service is None:
                rendered.append(_original(part))  # reported by _service
                continue
            rendered.append((part, service))
        if all(isinstance(r, str) for r in rendered):
            return
        mode = self._mode(caller, rendered, value)
        if value.where == "env":
            after, templated = self._env(task, value, caller, rendered, mode)
        else:
            after, templated = self._argument(task, value, caller, rendered, mode), False
        if templated:  # show where each address comes from, not the template's actions
            after = _display(rendered, mode)
        shown = repr(after) + (f" (rendered by a template into {TEMPLATE_DESTINATION})" if templated else "")
        self.findings.add(
            codes.DISCOVERY_REWRITTEN,
            value.position,
            f"{_label(value)} {value.original!r} now reads {shown}",
            subject=value.workload,
        )
        self._wire(caller, task, value, rendered, mode, after)
        self._port_warning(value, references)

    def _wire(
        self,
        caller: Placed,
        task: Task,
        value: Value,
        rendered: list[str | tuple[Reference, Service | None]],
        mode: str,
        after: str,
    ) -> None:
        """One record per reference rewritten in ``value``: what the report shows of it."""
        variable = value.key if value.where == "env" else f"{_ARGUMENT_LISTS[value.where]}[{value.key}]"
        for item in rendered:
            if isinstance(item, str):
                continue
            ref, service = item
            if ref.external is not None:
                via = "external"
            elif ref.target == caller.workload.name:
                via = "local"
            elif mode == "connect":
                via = "connect"
            else:  # the catalog the template reads: the target's provider, whatever the mode
                assert service is not None  # another group's part is rewritten only when registered
                via = "consul" if lookup_function(service) == "service" else "nomad"
            caller.group.wiring.append(
                Wire(
                    "rewritten",
                    value.workload,
                    ref.target,
                    via,
                    ref.position,
                    service=service.name if service is not None else "",
                    port=ref.port,
                    task=task.name,
                    variable=variable,
                    before=value.original,
                    after=after,
                )
            )

    # -- targets -----------------------------------------------------------------------------

    def _service(self, ref: Reference, caller: Placed, value: Value) -> Service | None:
        if ref.external is not None or ref.target == caller.workload.name:
            return None
        target = self.placed.get(ref.target)
        found = None
        if target is not None and ref.port is not None:
            label = next(
                (p.label for p in target.group.network.ports if ref.port in (p.to, p.static)),
                None,
            )
            found = next((s for s in target.group.services if s.port == label), None)
        if found is None:
            self.findings.add(
                codes.DISCOVERY_UNREACHABLE,
                value.position,
                f"{_label(value)}: {ref.written!r} names {ref.target!r}, which registers no service"
                + (f" for port {ref.port}" if ref.port else "")
                + "; it was left as it is",
                f"declare the port on {ref.target!r} (ports or expose) so that it is registered",
                subject=value.workload,
            )
        return found

    def _mode(
        self, caller: Placed, rendered: list[str | tuple[Reference, Service | None]], value: Value
    ) -> str:
        """nomad, consul or connect for this value; connect falls back to a Consul template."""
        mode = self.options.discovery
        if mode != "connect":
            return mode
        for item in rendered:
            if isinstance(item, tuple) and item[1] is not None:
                target = self.placed[item[0].target]
                if caller.group.network.mode != "bridge" or target.group.network.mode != "bridge":
                    self.findings.add(
                        codes.DISCOVERY_CONNECT_FALLBACK,
                        value.position,
                        f"{_label(value)}: Connect needs bridge networking in {caller.group.name!r} and "
                        f"{target.group.name!r}; the address is rendered by a Consul template instead",
                        subject=value.workload,
                    )
                    return "consul"
        return mode

    # -- env values --------------------------------------------------------------------------

    def _env(
        self,
        task: Task,
        value: Value,
        caller: Placed,
        rendered: list[str | tuple[Reference, Service | None]],
        mode: str,
    ) -> tuple[str, bool]:
        """The value the task reads now, and whether a template renders it (else it is in ``env``)."""
        pieces = [self._piece(item, caller, mode) for item in rendered]
        if all(isinstance(p, str) for p in pieces):  # same group or external: a plain value
            text = "".join(p for p in pieces if isinstance(p, str))
            if not _RUNTIME.search(text):
                task.env[value.key] = text
                return text, False
            return self._env_template(task, value, caller, rendered, "nomad"), True
        if mode == "connect":
            literal = "".join(p for p in pieces if isinstance(p, str))
            if not _RUNTIME.search(literal):
                task.env[value.key] = Interpolated(_merge(pieces))
                return str(task.env[value.key]), False
        return self._env_template(task, value, caller, rendered, mode), True

    def _env_template(
        self,
        task: Task,
        value: Value,
        caller: Placed,
        rendered: list[str | tuple[Reference, Service | None]],
        mode: str,
    ) -> str:
        task.env.pop(value.key, None)
        text = self._template_value(rendered, caller, mode)
        self._template(task).lines[value.key] = text
        return text

    def _template_value(
        self, rendered: list[str | tuple[Reference, Service | None]], caller: Placed, mode: str
    ) -> str:
        out: list[str] = []
        for i, item in enumerate(rendered):
            if isinstance(item, str):
                follows_action = i + 1 < len(rendered) and not isinstance(rendered[i + 1], str)
                out.append(template_text(item, before_action=follows_action))
                continue
            ref, service = item
            piece = self._piece(item, caller, mode)
            if isinstance(piece, str):
                out.append(template_text(piece, before_action=i + 1 < len(rendered)))
            elif service is not None:
                out.append(self._action(ref, service, mode, caller))
        return '"' + "".join(out) + '"'

    def _action(self, ref: Reference, service: Service, mode: str, caller: Placed) -> str:
        if mode == "connect":  # a value that must stay in a template reads the upstream variable
            name = self._upstream_var(ref, service)
            text = f'{{{{ env "{name}" }}}}'
            bound = bound_address(caller.group, service.name)
            if bound is not None:  # Nomad's NOMAD_UPSTREAM_ADDR_* says 127.0.0.1 whatever the address
                port = f'{{{{ env "{_UPSTREAM_VARS["port"]}{_NOT_ENV.sub("_", service.name)}" }}}}'
                text = {
                    "address": f"{template_text(bound)}:{port}",
                    "host": template_text(bound),
                    "port": port,
                }[ref.kind]
            if ref.repeat is not None:
                before = template_text(ref.repeat.prefix, before_action=True)
                return before + text + template_text(ref.repeat.suffix)
            return text
        # The target's provider, not the discovery mode: --provider consul --discovery nomad
        # registers every service in Consul, where nomadService would never find it.
        function = lookup_function(service)
        if ref.repeat is not None:
            r = ref.repeat
            return discovery_range(function, service.name, ref.kind, r.prefix, r.suffix, r.separator)
        return discovery_action(function, service.name, ref.kind)

    # -- arguments ---------------------------------------------------------------------------

    def _argument(
        self,
        task: Task,
        value: Value,
        caller: Placed,
        rendered: list[str | tuple[Reference, Service | None]],
        mode: str,
    ) -> str:
        parts: list[str | EnvRef] = []
        for item in rendered:
            piece = self._piece(item, caller, mode)
            if isinstance(item, str) or isinstance(piece, str) or mode == "connect":
                parts.extend(_merge([piece]))
                continue
            ref, service = item
            assert service is not None
            name = env_name(f"discovered_{service.name}_{ref.kind}_{ref.port}")
            self._template(task).lines[name] = '"' + self._action(ref, service, mode, caller) + '"'
            parts.append(EnvRef(name))
        new = Interpolated(_merge(parts))
        args = task.config.entrypoint if value.where == "entrypoint" else task.config.args
        if args is not None:
            args[int(value.key)] = new if any(isinstance(p, EnvRef) for p in new.parts) else str(new)
        return str(new)

    # -- pieces --------------------------------------------------------------------------------

    def _piece(
        self, item: str | tuple[Reference, Service | None], caller: Placed, mode: str
    ) -> str | EnvRef | list[str | EnvRef]:
        """Plain text for literals, same-group and external references; else what connect uses."""
        if isinstance(item, str):
            return item
        ref, service = item
        if ref.external is not None:
            host = ref.written.split(":")[0]
            return _wrap(ref, ref.external + ref.written[len(host) :] if ref.kind != "port" else ref.written)
        if ref.target == caller.workload.name:
            local = {"address": f"localhost:{ref.port}", "host": "localhost", "port": str(ref.port)}[ref.kind]
            return _wrap(ref, local)
        assert service is not None
        if mode != "connect":
            return []  # rendered by a template
        name = self._upstream_var(ref, service, caller)
        piece: str | EnvRef | list[str | EnvRef] = EnvRef(name)
        bound = bound_address(caller.group, service.name)
        if bound is not None:  # the upstream listens where a served name points; Nomad's ADDR says 127.0.0.1
            port = EnvRef(_UPSTREAM_VARS["port"] + _NOT_ENV.sub("_", service.name))
            pieces: dict[str, str | EnvRef | list[str | EnvRef]] = {
                "address": [bound + ":", port],
                "host": bound,
                "port": port,
            }
            piece = pieces[ref.kind]
        if ref.repeat is not None:  # one upstream balances over every instance: one element
            return [ref.repeat.prefix, *(piece if isinstance(piece, list) else [piece]), ref.repeat.suffix]
        return piece

    def _upstream_var(self, ref: Reference, service: Service, caller: Placed | None = None) -> str:
        if caller is not None:
            self._upstream(caller, service, ref)
        return _UPSTREAM_VARS[ref.kind] + _NOT_ENV.sub("_", service.name)

    def _upstream(self, caller: Placed, service: Service, ref: Reference) -> None:
        key = (id(caller.group), service.name)
        if key in self.bind_ports:
            return
        if service.connect is None:
            service.connect = Connect(local_service_port=ref.port)
        own = connect_service_of(caller)
        assert own.connect is not None
        existing = next((u for u in own.connect.upstreams if u.destination_name == service.name), None)
        if existing is not None:  # a served name's upstream: one per destination (Consul refuses two)
            self.bind_ports[key] = existing.local_bind_port
            return
        used = {p.to or p.static for p in caller.group.network.ports} | {
            port for (group, _), port in self.bind_ports.items() if group == id(caller.group)
        }
        port = ref.port or 1024
        while port in used or port in _DYNAMIC or port > 65535:
            port = 1024 if port > 65535 else port + 1
        self.bind_ports[key] = port
        own.connect.upstreams.append(Upstream(service.name, port))

    def _template(self, task: Task) -> _TaskTemplate:
        entry = self.templates.get(id(task))
        if entry is None:  # not setdefault: it would make a template for every value
            entry = self.templates[id(task)] = (task, _TaskTemplate())
        return entry[1]

    def _port_warning(self, value: Value, references: References) -> None:
        """A host-only reference without a sibling port variable: the port is now dynamic."""
        for ref in value.references:
            if ref.kind != "host" or ref.target == value.workload or ref.external is not None:
                continue
            if (value.workload, value.container, value.where == "env", ref.target) in self.paired:
                continue  # its port is rewritten too: a sibling variable, or a port argument
            if value.where != "env":  # an argument whose port is not beside it (``-p 6379``): say so
                self.findings.add(
                    codes.DISCOVERY_PORT_DYNAMIC,
                    value.position,
                    f"{_label(value)} now holds the address of {ref.target!r}, whose port is dynamic",
                    "pass the port as ${NOMAD_UPSTREAM_PORT_<service>} (Connect) or write host:port in the "
                    "argument so that both are rendered",
                    subject=value.workload,
                )
            else:
                prefix = sibling_prefix(value.key) or f"{value.key}_"
                self.findings.add(
                    codes.DISCOVERY_PORT_DYNAMIC,
                    value.position,
                    f"{value.key} now holds the address of {ref.target!r}, whose port is dynamic in Nomad "
                    f"(it is not {ref.port} on the host)",
                    f"set {prefix}PORT={ref.port} beside it in the source so that the port is rendered too, "
                    "or use a host:port value",
                    subject=value.workload,
                )


def bound_address(group: Group, destination: str) -> str | None:
    """The loopback address an upstream of ``group`` to ``destination`` listens on, when a served name
    gave it one."""
    for service in group.services:
        for upstream in service.connect.upstreams if service.connect else ():
            if upstream.destination_name == destination:
                return upstream.local_bind_address
    return None


def connect_service_of(caller: Placed) -> Service:
    """The caller's Connect service, which carries its upstreams; created when it has none."""
    for service in caller.group.services:
        if service.connect is not None:
            return service
    if caller.group.services:
        caller.group.services[0].connect = Connect()
        return caller.group.services[0]
    service = Service(name=caller.group.name, port="", provider="consul", connect=Connect())
    caller.group.services.append(service)
    return service


def _display(rendered: list[str | tuple[Reference, Service | None]], mode: str) -> str:
    """A value as people read it: each discovered part as ``<kind of function 'service'>``.

    In Connect mode a value that stays in a template reads the upstream variable, not a catalog;
    its label is left as it was (nomadService) by the provider fix."""
    out: list[str] = []
    for item in rendered:
        if isinstance(item, str):
            out.append(item)
        elif item[1] is None or item[0].target == "":
            out.append(_original(item[0]))
        else:
            function = "nomadService" if mode == "connect" else lookup_function(item[1])
            out.append(_wrap(item[0], f"<{item[0].kind} of {function} {item[1].name!r}>"))
    return "".join(out)


def _wrap(ref: Reference, text: str) -> str:
    if ref.repeat is None:
        return text
    return ref.repeat.prefix + text + ref.repeat.suffix


def _original(ref: Reference) -> str:
    return _wrap(ref, ref.written)


def _merge(pieces: Sequence[str | EnvRef | list[str | EnvRef]]) -> list[str | EnvRef]:
    flat: list[str | EnvRef] = []
    for piece in pieces:
        for item in piece if isinstance(piece, list) else [piece]:
            if isinstance(item, str) and flat and isinstance(flat[-1], str):
                flat[-1] += item
            elif item != "":
                flat.append(item)
    return flat


def _label(value: Value) -> str:
    """How findings name a value; the container is part of it because YAML anchors share positions."""
    if value.where == "env":
        return f"{value.key} of {value.container!r}"
    return f"{value.where}[{value.key}] of {value.container!r}"


def rewrite_references(
    placed: list[Placed], references: References, options: Options, findings: Findings
) -> None:
    Rewriter(placed, options, findings).rewrite(references)
