"""Compose port syntax: short strings and integers into the long form.

Short syntax is ``[[IP:]HOST:]CONTAINER[/PROTOCOL]`` where HOST and CONTAINER may be
ranges. Parsing follows Docker's own: split on ``:``, the last field is the
container part, the one before it the host port, and whatever precedes that
(re-joined, brackets stripped) the IP, so ``::1:6000:6000`` and
``[::1]:6001:6001`` both work. The expansion matches ``docker compose config``:
equal-length ranges become one entry per port; a host range with a single
container port stays one entry whose ``published`` is the range.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from translator.source import InputError, Position
from translator.yamlsource import YamlMap

PROTOCOLS = ("tcp", "udp", "sctp")


def _parse_range(text: str, what: str, spec: str, pos: Position) -> tuple[int, int]:
    start_text, sep, end_text = text.partition("-")
    try:
        start = int(start_text)
        end = int(end_text) if sep else start
    except ValueError:
        raise InputError(
            pos, f"invalid {what} {text!r} in port {spec!r}; expected a number or range"
        ) from None
    if not (0 <= start <= 65535 and 0 <= end <= 65535) or end < start:
        raise InputError(pos, f"invalid {what} {text!r} in port {spec!r}; expected 0-65535, start <= end")
    return start, end


def _long(pos: Position, target: int, protocol: str, published: str | None, host_ip: str | None) -> YamlMap:
    entry = YamlMap(pos)
    entry.set("mode", "ingress", pos, pos)
    if host_ip:
        entry.set("host_ip", host_ip, pos, pos)
    entry.set("target", target, pos, pos)
    if published is not None:
        entry.set("published", published, pos, pos)
    entry.set("protocol", protocol, pos, pos)
    return entry


def parse_short_port(value: Any, pos: Position) -> list[YamlMap]:
    """Expand one short-syntax port (string or integer) into long-form entries."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(pos, f'invalid port {value!r}; expected a string such as "8080:80" or an integer')
    spec = str(value)  # not trimmed: Compose refuses " 80" as a port
    body, _, protocol = spec.partition("/")
    protocol = protocol.lower() or "tcp"
    if protocol not in PROTOCOLS:
        raise InputError(pos, f"invalid protocol {protocol!r} in port {spec!r}; expected tcp, udp or sctp")
    fields = body.split(":")
    container = fields[-1]
    host = fields[-2] if len(fields) > 1 else ""
    host_ip = ":".join(fields[:-2]) if len(fields) > 2 else ""
    if host_ip.startswith("[") and host_ip.endswith("]"):
        host_ip = host_ip[1:-1]
    if host_ip:
        try:
            ipaddress.ip_address(host_ip)
        except ValueError:
            raise InputError(
                pos, f"invalid IP address {host_ip!r} in port {spec!r}; expected an IPv4 or IPv6 address"
            ) from None
    if not container:
        raise InputError(pos, f"no container port in {spec!r}; expected [[IP:]HOST:]CONTAINER[/PROTOCOL]")
    c_start, c_end = _parse_range(container, "container port", spec, pos)
    if not host:
        return [_long(pos, port, protocol, None, host_ip or None) for port in range(c_start, c_end + 1)]
    h_start, h_end = _parse_range(host, "host port", spec, pos)
    if c_start == c_end and h_start != h_end:
        return [_long(pos, c_start, protocol, host, host_ip or None)]
    if (h_end - h_start) != (c_end - c_start):
        raise InputError(
            pos, f"port ranges in {spec!r} differ in length; expected HOST and CONTAINER ranges of one size"
        )
    return [
        _long(pos, c_start + i, protocol, str(h_start + i), host_ip or None)
        for i in range(c_end - c_start + 1)
    ]


def normalize_long_port(entry: YamlMap) -> YamlMap:
    """Check and complete a long-syntax port mapping."""
    pos = entry.pos
    target = entry.get("target")
    if isinstance(target, str) and target.strip().isdigit():
        target = int(target)
    if not isinstance(target, int) or isinstance(target, bool) or not 0 < target <= 65535:
        raise InputError(
            entry.where("target"), f"invalid port target {target!r}; expected a port number 1-65535"
        )
    result = YamlMap(pos)
    result.set("mode", str(entry.get("mode") or "ingress"), entry.where_key("mode"), entry.where("mode"))
    for key in ("host_ip", "name", "app_protocol"):
        if entry.get(key) is not None:
            result.set(key, str(entry[key]), entry.where_key(key), entry.where(key))
    result.set("target", target, entry.where_key("target"), entry.where("target"))
    published = entry.get("published")
    if published is not None and published != "":
        if isinstance(published, bool) or not isinstance(published, (int, str)):
            raise InputError(entry.where("published"), f"invalid published port {published!r}")
        _parse_range(str(published), "published port", str(published), entry.where("published"))
        result.set("published", str(published), entry.where_key("published"), entry.where("published"))
    # Compose keeps the long syntax's protocol as written (UDP stays UDP) and checks nothing.
    protocol = str(entry.get("protocol") or "tcp")
    result.set("protocol", protocol, entry.where_key("protocol"), entry.where("protocol"))
    for key in entry:
        if key not in result and key not in ("published",):
            result.set(key, entry[key], entry.where_key(key), entry.where(key))
    return result


def parse_expose(value: Any, pos: Position) -> list[str]:
    """``expose`` entries stay strings (``"80"``, ``"8000-8010"``, ``"53/udp"``), as Compose prints them."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(pos, f"invalid expose entry {value!r}; expected a port, range or PORT/PROTOCOL")
    spec = str(value).strip()
    body, _, protocol = spec.partition("/")
    if protocol and protocol.lower() not in PROTOCOLS:
        raise InputError(pos, f"invalid protocol {protocol!r} in expose {spec!r}; expected tcp, udp or sctp")
    _parse_range(body, "port", spec, pos)
    return [spec]


def expose_ports(spec: str) -> tuple[list[int], str]:
    """The ports and protocol an ``expose`` entry names."""
    body, _, protocol = spec.partition("/")
    start, _, end = body.partition("-")
    first = int(start)
    last = int(end) if end else first
    return list(range(first, last + 1)), (protocol.lower() or "tcp")
