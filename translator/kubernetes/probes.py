"""Kubernetes probes → neutral ``HealthCheck``s.

A probe has one handler (``httpGet``, ``tcpSocket``, ``grpc``, ``exec``) and timings with
Kubernetes' defaults (``k8s.io/api/core/v1`` ``Probe``): ``periodSeconds`` 10,
``timeoutSeconds`` 1, ``initialDelaySeconds`` 0, ``failureThreshold`` 3.
"""

from __future__ import annotations

from typing import Any

from translator.model import HealthCheck
from translator.records import record
from translator.source import Position
from translator.yamlsource import YamlMap, YamlSeq

PROBES = {"livenessProbe": "liveness", "readinessProbe": "readiness", "startupProbe": "startup"}
HANDLERS = ("httpGet", "tcpSocket", "grpc", "exec")
PROBE_KEYS = frozenset(
    {
        *HANDLERS,
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    }
)
HANDLER_KEYS = {
    "httpGet": frozenset({"path", "port", "host", "scheme", "httpHeaders"}),
    "tcpSocket": frozenset({"port", "host"}),
    "grpc": frozenset({"port", "service"}),
    "exec": frozenset({"command"}),
}
PROBE_HINTS = {
    "terminationGracePeriodSeconds": "set kill_timeout on the task",
}


@record
class ProbeResult:
    check: HealthCheck | None
    problem: str = ""  # why there is no check


def parse_probe(probe: YamlMap, purpose: str, position: Position) -> ProbeResult:
    """A probe's check; ``position`` is where the probe is named (``livenessProbe:``)."""
    handlers = [h for h in HANDLERS if isinstance(probe.get(h), YamlMap)]
    result = ProbeResult(None)
    if len(handlers) != 1:
        result.problem = "it names no handler" if not handlers else f"it names {len(handlers)} handlers"
        return result
    kind = handlers[0]
    handler: YamlMap = probe[kind]
    host = handler.get("host")
    if isinstance(host, str) and host not in ("", "localhost", "127.0.0.1"):
        result.problem = f"it probes host {host!r}, not the Pod"
        return result
    check = _handler(kind, handler, position)
    if isinstance(check, str):
        result.problem = check
        return result
    check.purpose = purpose
    check.interval = float(_int(probe.get("periodSeconds"), 10))
    check.timeout = float(_int(probe.get("timeoutSeconds"), 1))
    check.grace = float(_int(probe.get("initialDelaySeconds"), 0))
    check.limit = _int(probe.get("failureThreshold"), 3)
    result.check = check
    return result


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _port(value: Any) -> int | str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value:
        return int(value) if value.isdigit() else value
    return None


def _handler(kind: str, handler: YamlMap, position: Position) -> HealthCheck | str:
    if kind == "exec":
        command = handler.get("command")
        if not isinstance(command, list) or not command:
            return "its exec handler has no command"
        argv = [str(word) for word in command]
        return HealthCheck("script", position, command=argv, source="exec " + " ".join(argv))
    port = _port(handler.get("port"))
    if port is None:
        return f"its {kind} handler names no port"
    if kind == "tcpSocket":
        return HealthCheck("tcp", position, port=port, source=f"tcpSocket port {port}")
    if kind == "grpc":
        service = handler.get("service")
        return HealthCheck(
            "grpc",
            position,
            port=port,
            grpc_service=service if isinstance(service, str) and service else None,
            source=f"grpc port {port}",
        )
    path = handler.get("path")
    check = HealthCheck(
        "http",
        position,
        port=port,
        path=path if isinstance(path, str) and path else "/",
        scheme=str(handler.get("scheme", "HTTP")).lower(),
    )
    headers = handler.get("httpHeaders")
    if isinstance(headers, YamlSeq):
        for entry in headers:
            if isinstance(entry, YamlMap) and isinstance(entry.get("name"), str):
                check.headers.setdefault(entry["name"], []).append(str(entry.get("value", "")))
    check.source = f"httpGet {check.path} port {port}"
    return check
