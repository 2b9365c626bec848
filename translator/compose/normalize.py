"""Compose service normalisation: every field the translator reads in one (long) form.

The result has the shape ``docker compose config --format json`` prints, with
positions kept: each normalised value remembers the source line it came from.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from translator.compose.consistency import NULLABLE_SERVICE_KEYS
from translator.compose.ports import normalize_long_port, parse_expose, parse_short_port
from translator.source import InputError, Position
from translator.variables import shown
from translator.yamlsource import YamlMap, YamlSeq

Lookup = Callable[[str], str | None]


def expect(value: Any, kinds: tuple[type, ...], pos: Position, what: str, expected: str) -> None:
    if isinstance(value, bool) and bool not in kinds:
        raise InputError(pos, f"{what} must be {expected}, got a boolean")
    if not isinstance(value, kinds):
        kind = (
            "mapping"
            if isinstance(value, dict)
            else "list"
            if isinstance(value, list)
            else type(value).__name__
        )
        raise InputError(pos, f"{what} must be {expected}, got {kind}")


def scalar_text(value: Any, pos: Position, what: str) -> str:
    """A string, or a number written without quotes, as Compose turns them into text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        value = float(value)  # beyond Go's int64 and uint64, go-yaml reads a float64
    if isinstance(value, float):
        return go_float_text(value)
    if isinstance(value, (str, int)):
        return str(value)
    raise InputError(
        pos,
        f"{what} must be a string or a number, got {'a mapping' if isinstance(value, dict) else 'a list'}",
    )


def go_float_text(value: float) -> str:
    """A float as Go's ``fmt.Sprint`` writes it: shortest digits, exponent below 1e-4 or from 1e21."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    from decimal import Decimal  # floats are rare in Compose values: imported when one is met

    number = Decimal(repr(value)).normalize()
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    power = len(digits) - 1 + exponent
    if -4 <= power < 21:
        return format(number, "f")
    text = "".join(map(str, digits))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'+' if power >= 0 else '-'}{abs(power):02d}"


def string_item(value: Any, pos: Position, what: str) -> str:
    """A value Compose's schema types as a string: a number or boolean there is refused."""
    if not isinstance(value, str):
        kind = "a boolean" if isinstance(value, bool) else type(value).__name__
        kind = {"int": "a number", "float": "a number", "YamlMap": "a mapping", "YamlSeq": "a list"}.get(
            kind, kind
        )
        raise InputError(pos, f"{what} must be a string, got {kind}; quote it (Compose refuses it)")
    return value


class CommandWords(YamlSeq):
    """A command string split into words, with what Compose dropped after an operator."""

    __slots__ = ("dropped",)

    def __init__(self, pos: Position) -> None:
        super().__init__(pos)
        self.dropped = ""  # from the operator on ("&& npm start"), or "" when nothing was


def split_command(text: str, pos: Position) -> list[str]:
    return split_command_dropping(text, pos)[0]


def split_command_dropping(text: str, pos: Position) -> tuple[list[str], str]:
    """Split a command string as Compose does, with go-shellwords' ``Parse`` (not a POSIX shell).

    Words end at unquoted blanks; a backslash escapes any character outside single quotes
    (inside double quotes too). An unquoted ``;``, ``&``, ``|``, ``<`` or ``>`` ends the
    command: what follows is dropped, and before ``>`` a word starting with a digit (the
    ``2`` of ``2>&1``) goes too; the dropped text is returned beside the words. Unbalanced
    quotes, a trailing backslash and a parenthesis outside ``$(...)`` are errors, as in Compose.
    """
    words: list[str] = []
    word = ""
    has_word = False  # a word is open, possibly empty ('' or "")
    escaped = single = double = backquote = dollar = False

    def invalid(why: str) -> InputError:
        written = shown(text)  # kept variables (--keep-variables) as ${NAME}
        return InputError(pos, f"cannot split command {written!r}: {why}")

    dropped = ""
    for at, char in enumerate(text):
        if escaped:
            word, escaped, has_word = word + char, False, True
            continue
        if char == "\\":
            if single:
                word += char
            else:
                escaped = True
            continue
        if char in " \t\r\n":
            if single or double or backquote or dollar:
                word += char
            elif has_word:
                words.append(word)
                word, has_word = "", False
            continue
        if char == "`" and not (single or double or dollar):
            backquote = not backquote
        elif char == ")" and not (single or double or backquote):
            dollar = not dollar  # go-shellwords toggles here: a bare ')' opens what nothing closes
        elif char == "(" and not (single or double or backquote):
            if dollar or not word.endswith("$"):
                raise invalid("'(' outside '$(...)'; expected it quoted")
            dollar = True
            word += char
            continue
        elif char == '"' and not (single or dollar):
            has_word = has_word or double
            double = not double
            continue
        elif char == "'" and not (double or dollar):
            has_word = has_word or single
            single = not single
            continue
        elif char in ";&|<>" and not (single or double or backquote or dollar):
            dropped = text[at:].strip()
            if char == ">" and word[:1].isdigit() and word[:1].isascii():
                has_word = False  # a redirected descriptor number, not a word
                dropped = word + dropped
            break
        word, has_word = word + char, True
    if has_word:
        words.append(word)
    if escaped:
        raise invalid("it ends with a backslash; expected a character after it")
    if single or double or backquote or dollar:
        raise invalid("a quote or '$(' is not closed; expected balanced quotes and parentheses")
    return words, dropped


def _seq(pos: Position) -> YamlSeq:
    return YamlSeq(pos)


def normalize_command(value: Any, pos: Position, what: str) -> YamlSeq | None:
    if value is None:
        return None
    if isinstance(value, str):
        words, dropped = split_command_dropping(value, pos)
        split = CommandWords(pos)
        split.dropped = dropped
        for word in words:
            split.add(word, pos)
        return split
    result = _seq(pos)
    expect(value, (list,), pos, what, "a string or a list of strings")
    for i, item in enumerate(value):
        item_pos = value.where(i) if isinstance(value, YamlSeq) else pos
        result.add(string_item(item, item_pos, f"{what} item"), item_pos)
    return result


def normalize_mapping_or_list(value: Any, pos: Position, what: str, separator: str = "=") -> YamlMap:
    """``KEY=VALUE`` lists and mappings both become a mapping; a bare ``KEY`` maps to None."""
    result = YamlMap(pos)
    if value is None:
        return result
    if isinstance(value, dict):
        if isinstance(value, YamlMap):
            result.tags.update(value.tags)  # !reset on one key must reach the merge
        for key, item in value.items():
            item_pos = value.where(key) if isinstance(value, YamlMap) else pos
            key_pos = value.where_key(key) if isinstance(value, YamlMap) else pos
            text = None if item is None else scalar_text(item, item_pos, f"{what} value for {key}")
            result.set(str(key), text, key_pos, item_pos)
        return result
    expect(value, (list,), pos, what, "a mapping or a list of KEY=VALUE strings")
    for i, item in enumerate(value):
        item_pos = value.where(i) if isinstance(value, YamlSeq) else pos
        text = string_item(item, item_pos, f"{what} item")
        key, sep, rest = text.partition(separator)
        result.set(key, rest if sep else None, item_pos, item_pos)
    return result


def normalize_string_list(value: Any, pos: Position, what: str, single: bool = True) -> YamlSeq:
    """A list of strings; ``single`` also takes one string, as ``dns`` and ``dns_search`` do."""
    result = _seq(pos)
    if value is None:
        return result
    if single and not isinstance(value, list):
        result.add(string_item(value, pos, what), pos)
        return result
    expect(value, (list,), pos, what, "a string or a list of strings" if single else "a list of strings")
    for i, item in enumerate(value):
        item_pos = value.where(i) if isinstance(value, YamlSeq) else pos
        result.add(string_item(item, item_pos, f"{what} item"), item_pos)
    return result


def normalize_ports(value: Any, pos: Position) -> YamlSeq:
    result = _seq(pos)
    expect(value, (list,), pos, "ports", "a list")
    for i, item in enumerate(value):
        item_pos = value.where(i) if isinstance(value, YamlSeq) else pos
        if isinstance(item, YamlMap):
            result.add(normalize_long_port(item), item_pos)
        else:
            for entry in parse_short_port(item, item_pos):
                result.add(entry, item_pos)
    return result


def normalize_expose(value: Any, pos: Position) -> YamlSeq:
    result = _seq(pos)
    expect(value, (list,), pos, "expose", "a list")
    for i, item in enumerate(value):
        item_pos = value.where(i) if isinstance(value, YamlSeq) else pos
        for spec in parse_expose(item, item_pos):
            result.add(spec, item_pos)
    return result


def normalize_extra_hosts(value: Any, pos: Position) -> YamlSeq:
    """``host=ip`` strings, as compose-go's ``HostsList`` reads and prints them.

    A list entry splits at its first ``=`` (else its first ``:``) and its addresses at
    commas; a mapping's value is one address or a list of them. Brackets around an
    address go; nothing is trimmed; the result is sorted.
    """
    pairs: list[tuple[str, str, Position]] = []
    if isinstance(value, dict):
        for host, addresses in value.items():
            item_pos = value.where(host) if isinstance(value, YamlMap) else pos
            if addresses is None:
                addresses = ""
            listed = addresses if isinstance(addresses, list) else [addresses]
            for address in listed:
                pairs.append(
                    (str(host), string_item(address, item_pos, f"extra_hosts address of {host!r}"), item_pos)
                )
    else:
        expect(value, (list,), pos, "extra_hosts", "a list or a mapping")
        seen: set[str] = set()
        for index, item in enumerate(value):
            item_pos = value.where(index) if isinstance(value, YamlSeq) else pos
            text = string_item(item, item_pos, "extra_hosts item")
            if text in seen:
                raise InputError(
                    item_pos, f"extra_hosts lists {text!r} twice; expected each once (Compose refuses it)"
                )
            seen.add(text)
            sep = "=" if "=" in text else ":"
            host, found, addresses = text.partition(sep)
            if not found:
                raise InputError(item_pos, f"invalid extra_hosts entry {text!r}; expected HOST=IP or HOST:IP")
            pairs += [(host, address, item_pos) for address in addresses.split(",")]
    result = _seq(pos)
    for host, address, item_pos in pairs:
        if not host or ":" in host or "=" in host:
            raise InputError(
                item_pos, f"bad extra_hosts host name {host!r}; expected a name without ':' or '='"
            )
        if len(address) > 2 and address.startswith("[") and address.endswith("]"):
            address = address[1:-1]
        result.add(f"{host}={address}", item_pos)
    return sort_extra_hosts(result)


def sort_extra_hosts(hosts: YamlSeq) -> YamlSeq:
    """Compose prints extra_hosts sorted (as whole strings); merged files repeat none."""
    order = sorted(range(len(hosts)), key=lambda i: str(hosts[i]))
    result = _seq(hosts.pos)
    for i in order:
        if hosts[i] not in result:
            result.add(hosts[i], hosts.where(i))
    return result


def normalize_networks(value: Any, pos: Position) -> YamlMap:
    if isinstance(value, YamlMap):
        for key, item in value.items():
            if item is not None and not isinstance(item, dict):
                raise InputError(value.where(key), f"network {key!r} settings must be a mapping")
        return value
    result = YamlMap(pos)
    expect(value, (list,), pos, "networks", "a list or a mapping")
    for i, item in enumerate(value):
        item_pos = value.where(i) if isinstance(value, YamlSeq) else pos
        name = string_item(item, item_pos, "network name")
        if name in result:
            raise InputError(
                item_pos, f"network {name!r} is listed twice; expected each once (Compose refuses it)"
            )
        result.set(name, None, item_pos, item_pos)
    return result


def normalize_depends_on(value: Any, pos: Position) -> YamlMap:
    result = YamlMap(pos)
    if isinstance(value, YamlMap):
        for name, spec in value.items():
            entry = YamlMap(value.where(name))
            if not isinstance(spec, YamlMap):
                raise InputError(
                    value.where(name), f"depends_on entry {name!r} must be a mapping with a 'condition'"
                )
            # Written keys only: a later file's entry merges into an earlier one key by key, and
            # Compose adds the defaults once merged (loader.add_implicit_defaults). A missing
            # condition is refused there (consistency.check_empty_values) unless a file before
            # this one gave the dependency.
            condition = spec.get("condition", "service_started")
            if condition not in ("service_started", "service_healthy", "service_completed_successfully"):
                raise InputError(
                    spec.where("condition"),
                    f"invalid depends_on condition {condition!r}; expected service_started, "
                    "service_healthy or service_completed_successfully",
                )
            for key, item in spec.items():
                entry.set(key, item, spec.where_key(key), spec.where(key))
            result.set(str(name), entry, value.where_key(name), value.where(name))
        return result
    expect(value, (list,), pos, "depends_on", "a list or a mapping")
    for i, item in enumerate(value):
        item_pos = value.where(i) if isinstance(value, YamlSeq) else pos
        entry = YamlMap(item_pos)
        entry.set("condition", "service_started", item_pos, item_pos)
        entry.set("required", True, item_pos, item_pos)
        name = string_item(item, item_pos, "depends_on item")
        if name in result:
            raise InputError(
                item_pos, f"depends_on lists {name!r} twice; expected each once (Compose refuses it)"
            )
        result.set(name, entry, item_pos, item_pos)
    return result


def normalize_healthcheck(value: Any, pos: Position) -> YamlMap:
    expect(value, (dict,), pos, "healthcheck", "a mapping")
    assert isinstance(value, YamlMap)
    test = value.get("test")
    if isinstance(test, str):
        seq = _seq(value.where("test"))
        seq.add("CMD-SHELL", value.where("test"))
        seq.add(test, value.where("test"))
        value.set("test", seq, value.where_key("test"), value.where("test"))
    elif test is not None:
        value.set(
            "test",
            normalize_command(test, value.where("test"), "healthcheck test"),
            value.where_key("test"),
            value.where("test"),
        )
    for key in DURATIONS:
        if value.get(key) is not None:
            value[key] = normalize_duration(value[key], value.where(key), f"healthcheck.{key}")
    return value


DURATIONS = ("interval", "timeout", "start_period", "start_interval")
# Compose reads durations with go-str2duration: Go's units plus d (24h) and w (7d).
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h|d|w)")
_UNIT_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9}
_UNIT_NS.update(h=3600 * 10**9, d=24 * 3600 * 10**9, w=7 * 24 * 3600 * 10**9)


# Durations repeat across services ("10s", "30s"): each text is parsed once, each value
# formatted once (both are pure).
@lru_cache(maxsize=1024)
def parse_duration(text: str) -> int | None:
    """Nanoseconds in a Go duration (``1m30s``, ``1.5s``, ``500ms``), or None if it is not one."""
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0
    total, offset = 0, 0
    while offset < len(body):
        match = _DURATION_PART.match(body, offset)
        if not match or match.group(1) in ("", "."):
            return None
        whole, _, fraction = match.group(1).partition(".")
        unit = _UNIT_NS[match.group(2)]
        total += int(whole or "0") * unit + (int(fraction) * unit // 10 ** len(fraction) if fraction else 0)
        offset = match.end()
    if not body:
        return None
    return -total if text.startswith("-") else total


@lru_cache(maxsize=1024, typed=True)
def format_duration(nanoseconds: int) -> str:
    """Go's ``time.Duration.String``, which ``docker compose config`` prints: ``1m30s``, ``500ms``."""
    if nanoseconds == 0:
        return "0s"
    sign, value = ("-", -nanoseconds) if nanoseconds < 0 else ("", nanoseconds)
    if value < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if value >= size:
                return sign + _decimal(value, size) + unit
    hours, rest = divmod(value, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    text = _decimal(rest, 10**9) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text


def _decimal(value: int, unit: int) -> str:
    whole, fraction = divmod(value, unit)
    if not fraction:
        return str(whole)
    digits = str(fraction).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def normalize_duration(value: Any, pos: Position, what: str) -> str:
    """A duration as Compose prints it; Compose's schema refuses a bare number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise InputError(
            pos, f"{what} must be a string with a unit, got the number {value}; expected e.g. '{value}s'"
        )
    text = str(value)
    nanoseconds = parse_duration(text)
    if nanoseconds is None:
        raise InputError(pos, f"{what} {text!r} is not a duration; expected a value like 30s, 1m30s or 500ms")
    return format_duration(nanoseconds)


def normalize_build(value: Any, pos: Position, base: Path, lookup: Lookup) -> YamlMap:
    if isinstance(value, str):
        result = YamlMap(pos)
        result.set("context", value, pos, pos)
        value = result
    expect(value, (dict,), pos, "build", "a string or a mapping")
    assert isinstance(value, YamlMap)
    # No default context here: an override's build without one keeps the base's context;
    # the loader adds "." once the files are merged (default_build_context), as Compose does.
    context = value.get("context")
    if isinstance(context, str) and context and _is_local(context):  # "" stays "", as in Compose
        value.set("context", local_path(base, context), value.where_key("context"), value.where("context"))
    for key in ("args", "labels"):
        if key in value:
            value[key] = normalize_mapping_or_list(value[key], value.where(key), f"build.{key}")
    if value.get("secrets") is not None:
        value["secrets"] = normalize_file_refs(value["secrets"], value.where("secrets"), "build.secrets")
    args = value.get("args")
    if isinstance(args, YamlMap):
        # An argument without a value takes it from the environment; unset, Compose drops it.
        for key, item in list(args.items()):
            if item is None:
                found = lookup(key)
                if found is None:
                    args.pop(key)
                else:
                    args[key] = found
    contexts = value.get("additional_contexts")
    if contexts is not None:
        contexts = normalize_mapping_or_list(
            contexts, value.where("additional_contexts"), "additional_contexts"
        )
        for key, item in contexts.items():
            if (
                isinstance(item, str)
                and _is_local(item)
                and not item.startswith(("docker-image:", "service:"))
            ):
                contexts[key] = local_path(base, item)
        value["additional_contexts"] = contexts
    return value


def normalize_file_refs(value: Any, pos: Position, what: str, secret_dir: str | None = None) -> YamlSeq:
    """``secrets``/``configs`` entries as mappings, as Compose prints them.

    A name becomes ``{source: name}``; a service secret without ``target`` mounts at
    ``/run/secrets/<source>``; ``mode`` is printed as octal text (``0440``): an integer is
    the mode itself (YAML's ``0440`` is 288), a string is read as octal.
    """
    expect(value, (list,), pos, what, "a list of names or mappings")
    result = _seq(pos)
    for index, item in enumerate(value):
        item_pos = value.where(index) if isinstance(value, YamlSeq) else pos
        entry = YamlMap(item_pos)
        if isinstance(item, str):
            entry.set("source", item, item_pos, item_pos)
        elif isinstance(item, YamlMap):
            for key, field in item.items():
                entry.set(key, field, item.where_key(key), item.where(key))
            entry.tags.update(item.tags)
        else:
            raise InputError(item_pos, f"{what} entry must be a name or a mapping with 'source'")
        if secret_dir is not None and entry.get("target") is None:
            entry.set("target", f"{secret_dir}/{entry.get('source')}", item_pos, item_pos)
        if entry.get("mode") is not None:
            entry["mode"] = _file_mode(entry["mode"], entry.where("mode"), what)
        result.add(entry, item_pos)
    return result


def _file_mode(value: Any, pos: Position, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        mode = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-7]+", value):
        mode = int(value, 8)  # Go's strconv.ParseInt(value, 8, 64), which Compose uses
    else:
        raise InputError(
            pos, f"{what} mode {value!r} is not a file mode; expected a number or octal text like '0440'"
        )
    return f"0{mode:o}" if mode >= 0 else f"0-{-mode:o}"  # Go's %o keeps the sign after the 0


def _is_local(path: str) -> bool:
    return "://" not in path and not path.startswith("git@")


def local_path(base: Path, path: str) -> str:
    """A path relative to ``base`` made absolute and cleaned, as Compose resolves it (``~`` stays)."""
    if path.startswith("~"):
        return path
    return os.path.normpath(path if os.path.isabs(path) else os.path.join(base, path))


def normalize_env_files(value: Any, pos: Position, base: Path) -> YamlSeq:
    """``env_file``: a path, or a list of paths and ``{path, required, format}`` mappings."""
    items = value if isinstance(value, list) else [value]
    result = _seq(pos)
    for index, item in enumerate(items):
        item_pos = items.where(index) if isinstance(items, YamlSeq) else pos
        entry = YamlMap(item_pos)
        if isinstance(item, YamlMap):
            path, required, fmt = item.get("path"), item.get("required", True), item.get("format")
        else:
            path, required, fmt = item, True, None
        if not isinstance(path, str) or not path:
            raise InputError(item_pos, "env_file entry must be a path or a mapping with 'path'")
        entry.set("path", local_path(base, path), item_pos, item_pos)
        entry.set("required", required is not False and str(required).lower() != "false", item_pos, item_pos)
        if fmt is not None:
            entry.set("format", str(fmt), item_pos, item_pos)
        result.add(entry, item_pos)
    return result


def resolve_environment(environment: YamlMap, lookup: Lookup) -> YamlMap:
    """Keys without a value take it from the project environment, as Compose does."""
    for key, item in list(environment.items()):
        if item is None:
            found = lookup(key)
            if found is not None:
                environment[key] = found
    return environment


def normalize_service(name: str, service: Any, pos: Position, base: Path, lookup: Lookup) -> YamlMap:
    """Bring one service mapping into long form; keys the translator does not read pass through."""
    if not isinstance(service, YamlMap):
        raise InputError(
            pos,
            f"service {name!r} must be a mapping, got "
            + ("a list" if isinstance(service, list) else repr(service)),
        )
    out = YamlMap(service.pos)
    out.tags.update(service.tags)
    for key, value in service.items():
        vpos = service.where(key)
        normalized: Any = value
        if value is None and key not in NULLABLE_SERVICE_KEYS and key not in service.tags:
            continue  # an empty key: the merge keeps an earlier file's value (or the loader refused it)
        if service.tags.get(key) == "!reset":
            normalized = None  # the merge removes the key; its value does not matter
        elif key in ("command", "entrypoint"):
            normalized = normalize_command(value, vpos, key)
        elif key == "environment":
            normalized = resolve_environment(normalize_mapping_or_list(value, vpos, key), lookup)
        elif key in ("labels", "annotations", "sysctls"):
            normalized = normalize_mapping_or_list(value, vpos, key)
        elif key == "ports":
            normalized = normalize_ports(value, vpos)
        elif key == "expose":
            normalized = normalize_expose(value, vpos)
        elif key == "extra_hosts":
            normalized = normalize_extra_hosts(value, vpos)
        elif key in ("dns", "dns_search", "dns_opt", "links", "external_links", "profiles"):
            normalized = normalize_string_list(value, vpos, key, single=key in ("dns", "dns_search"))
        elif key == "networks":
            normalized = normalize_networks(value, vpos)
        elif key == "depends_on":
            normalized = normalize_depends_on(value, vpos)
        elif key == "healthcheck":
            normalized = normalize_healthcheck(value, vpos)
        elif key == "build":
            normalized = normalize_build(value, vpos, base, lookup)
        elif key == "env_file":
            normalized = normalize_env_files(value, vpos, base)
        elif key == "secrets" and value is not None:
            normalized = normalize_file_refs(value, vpos, key, "/run/secrets")
        elif key == "configs" and value is not None:
            normalized = normalize_file_refs(value, vpos, key)
        elif key in ("image", "hostname", "domainname", "restart", "network_mode", "container_name", "user"):
            normalized = None if value is None else string_item(value, vpos, key)
        elif key == "scale":
            normalized = _integer(value, vpos, key)
        elif key == "deploy" and isinstance(value, YamlMap):
            normalized = normalize_deploy(value)
        elif key in BYTE_SIZE_KEYS:
            normalized = normalize_byte_size(value, vpos, key)
            if normalized is None:
                continue  # Compose reads no size from 0 or a float: as if unset
        elif key == "cpus":
            normalized = normalize_cpus(value, vpos, key)
        elif key == "stop_grace_period":
            normalized = normalize_duration(value, vpos, key)
        out.set(key, normalized, service.where_key(key), vpos)
    return out


BYTE_SIZE_KEYS = frozenset({"mem_limit", "mem_reservation", "memswap_limit", "shm_size"})
# go-units' RAMInBytes, which Compose reads sizes with: binary units, an optional i and b.
_BYTE_SIZE = re.compile(r"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_BYTE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def normalize_byte_size(value: Any, pos: Position, what: str) -> str | None:
    """A size in bytes as Compose prints it (a decimal string), or None where Compose has none."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(pos, f"{what} must be a size, got {value!r}")
    if isinstance(value, float):
        return None
    if isinstance(value, int):
        return str(value) if value else None
    match = _BYTE_SIZE.match(value)
    if match is None or match[1].count(".") > 1:
        raise InputError(
            pos, f"{what} {value!r} is not a size; expected a number of bytes or one with a unit (512m, 1g)"
        )
    size = int(float(match[1]) * _BYTE_UNITS[(match[2] or "").lower()])
    return str(size) if size else None


def normalize_cpus(value: Any, pos: Position, what: str) -> float | int:
    """A number of CPUs (``0.5``); Compose also takes it as a string."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise InputError(
                pos, f"{what} {value!r} is not a number; expected a number of CPUs (0.5)"
            ) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(pos, f"{what} must be a number of CPUs, got {value!r}")
    return value


def normalize_deploy(deploy: YamlMap) -> YamlMap:
    """``replicas`` as an integer; ``resources`` limits and reservations as Compose reads them."""
    out = YamlMap(deploy.pos)
    out.tags.update(deploy.tags)
    for key, value in deploy.items():
        if key == "replicas" and value is not None:
            value = _integer(value, deploy.where(key), "deploy.replicas")
        elif key == "resources" and isinstance(value, YamlMap):
            value = _normalize_resources(value)
        out.set(key, value, deploy.where_key(key), deploy.where(key))
    return out


def _normalize_resources(resources: YamlMap) -> YamlMap:
    out = YamlMap(resources.pos)
    for section, entries in resources.items():
        if section in ("limits", "reservations") and isinstance(entries, YamlMap):
            copied = YamlMap(entries.pos)
            for key, value in entries.items():
                pos, what = entries.where(key), f"deploy.resources.{section}.{key}"
                if key == "memory" and value is not None:
                    value = normalize_byte_size(value, pos, what)
                elif key == "cpus" and value is not None:
                    value = normalize_cpus(value, pos, what)
                elif key == "pids" and value is not None:
                    value = _integer(value, pos, what)
                if value is not None:
                    copied.set(key, value, entries.where_key(key), pos)
            entries = copied
        out.set(section, entries, resources.where_key(section), resources.where(section))
    return out


def _integer(value: Any, pos: Position, what: str) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(pos, f"{what} must be an integer, got {value!r}")
    return value
