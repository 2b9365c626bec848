"""Merging Compose models: several ``-f`` files, ``extends`` and ``include``, with Compose's rules.

Both sides are already normalised (long syntax, see ``normalize.py``), so the rules
work on one form. They follow compose-go's ``override`` package:

- mappings merge key by key, recursively; a scalar from the later side wins, and a
  ``null`` in the later side keeps the earlier value;
- ``command``, ``entrypoint`` and ``healthcheck.test`` are replaced, never merged;
- ``environment``, ``labels`` and the other ``KEY=VALUE`` fields merge by key (they are
  mappings once normalised), ``depends_on`` and ``networks`` merge per entry;
- sequences append; those Compose keeps unique (``ports``, ``expose``, ``dns``,
  ``links``, ``volumes``, ``env_file``, ...) then drop earlier duplicates, the later
  entry taking the earlier one's place, as compose-go's ``EnforceUnicity`` does;
- a value tagged ``!reset`` removes the key, one tagged ``!override`` replaces the
  earlier value whole.

Every merged value keeps the position of the file and line that supplied it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from translator.compose.normalize import sort_extra_hosts
from translator.yamlsource import YamlMap, YamlSeq

RESET = "!reset"
OVERRIDE = "!override"

# Service keys whose later value replaces the earlier one.
_REPLACED = frozenset({"command", "entrypoint"})


def _port_key(entry: Any) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    host = entry.get("host_ip") or "0.0.0.0"
    return f"{host}:{entry.get('published')}:{entry.get('target')}/{entry.get('protocol') or 'tcp'}"


def _key_value_key(entry: Any) -> str:
    return str(entry).partition("=")[0]


def _target_key(default_dir: str) -> Callable[[Any], str]:
    def key(entry: Any) -> str:
        if isinstance(entry, dict):
            if entry.get("target") is not None:
                return str(entry["target"])
            return f"{default_dir}/{entry.get('source')}"
        return f"{default_dir}/{entry}"

    return key


def _volume_key(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("target"))
    parts = str(entry).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def _env_file_key(entry: Any) -> str:
    return str(entry.get("path")) if isinstance(entry, dict) else str(entry)


# Service sequences that Compose keeps unique, and what makes two entries the same.
UNIQUE: dict[str, Callable[[Any], str]] = {
    "ports": _port_key,
    "expose": str,
    "dns": _key_value_key,
    "dns_opt": _key_value_key,
    "dns_search": _key_value_key,
    "links": _key_value_key,
    "profiles": _key_value_key,
    "cap_add": _key_value_key,
    "cap_drop": _key_value_key,
    "tmpfs": _key_value_key,
    "extra_hosts": str,
    "volumes": _volume_key,
    "devices": _volume_key,
    "secrets": _target_key("/run/secrets"),
    "configs": _target_key(""),
    "env_file": _env_file_key,
}


def unique(seq: YamlSeq, key: Callable[[Any], str]) -> YamlSeq:
    """Drop duplicates: a later entry takes the place (and keeps the position) of the earlier one."""
    result = YamlSeq(seq.pos)
    index: dict[str, int] = {}
    for i, entry in enumerate(seq):
        name = key(entry)
        if name in index:
            result[index[name]] = entry
            result.item_pos[index[name]] = seq.where(i)
        else:
            index[name] = len(result)
            result.add(entry, seq.where(i))
    return result


def enforce_unicity(service: YamlMap) -> YamlMap:
    """Remove the duplicates Compose removes from a service's sequences, in place."""
    for key, rule in UNIQUE.items():
        value = service.get(key)
        if isinstance(value, YamlSeq):
            service[key] = unique(value, rule)
    if isinstance(service.get("extra_hosts"), YamlSeq):
        service["extra_hosts"] = sort_extra_hosts(service["extra_hosts"])
    networks = service.get("networks")
    if isinstance(networks, dict):
        for settings in networks.values():
            if isinstance(settings, YamlMap) and isinstance(settings.get("aliases"), YamlSeq):
                settings["aliases"] = unique(settings["aliases"], str)
    return service


# Merged by compose-go as KEY=VALUE lists (mergeToSequence): a later bare KEY replaces the
# earlier KEY=VALUE, so a variable without a value in an override file wins.
_KEY_VALUE_LISTS = frozenset({"environment", "labels", "sysctls"})


def merge_service(base: YamlMap, override: YamlMap) -> YamlMap:
    """``override`` applied on top of ``base`` (both normalised services); neither is changed."""
    return enforce_unicity(_merge_map(base, override, ("services", "*")))


def merge_documents(base: YamlMap, override: YamlMap) -> YamlMap:
    """A later Compose file (normalised services) applied on top of the merged earlier ones."""
    result = _copy_map(base)
    for key, value in override.items():
        tag = override.tags.get(key)
        if tag == RESET:
            _drop(result, key)
            continue
        if key == "services" and isinstance(value, YamlMap) and isinstance(result.get(key), YamlMap):
            value = merge_service_maps(result[key], value)
        elif key in result and tag != OVERRIDE:
            value = merge_value(result[key], value, (key,))
        _put(result, key, value, override)
    return result


def merge_service_maps(base: YamlMap, override: YamlMap) -> YamlMap:
    """Two ``services`` mappings: services of both sides, merged where both define one."""
    result = _copy_map(base)
    for name, service in override.items():
        tag = override.tags.get(name)
        if tag == RESET:
            _drop(result, name)
            continue
        earlier = result.get(name)
        if isinstance(service, YamlMap):
            # A service seen first still goes through the merge: its own !reset keys go.
            base = earlier if isinstance(earlier, YamlMap) and tag != OVERRIDE else YamlMap(service.pos)
            service = merge_service(base, service)
        _put(result, name, service, override)
    return result


def merge_value(base: Any, override: Any, path: tuple[str, ...]) -> Any:
    if override is None and not (len(path) == 4 and path[2] in _KEY_VALUE_LISTS):
        return base
    if (len(path) == 3 and path[-1] in _REPLACED) or path[-2:] == ("healthcheck", "test"):
        return override
    if isinstance(base, YamlMap) and isinstance(override, YamlMap):
        return _merge_map(base, override, path)
    if isinstance(base, YamlSeq) and isinstance(override, YamlSeq):
        merged = YamlSeq(base.pos)
        for i, item in enumerate(base):
            merged.add(item, base.where(i))
        for i, item in enumerate(override):
            merged.add(item, override.where(i))
        return merged
    return override


def _merge_map(base: YamlMap, override: YamlMap, path: tuple[str, ...]) -> YamlMap:
    result = _copy_map(base)
    for key, value in override.items():
        tag = override.tags.get(key)
        if tag == RESET:
            _drop(result, key)
            continue
        if key in result and tag != OVERRIDE:
            value = merge_value(result[key], value, (*path, key))
        _put(result, key, value, override)
    return result


def _copy_map(source: YamlMap) -> YamlMap:
    result = YamlMap(source.pos)
    for key, value in source.items():
        result.set(key, value, source.where_key(key), source.where(key))
    return result


def _put(target: YamlMap, key: str, value: Any, source: YamlMap) -> None:
    """Set ``key``; a key already present keeps its place, and the value the position of its source."""
    key_pos = target.key_pos.get(key) if key in target else None
    target.set(key, value, key_pos or source.where_key(key), source.where(key))


def _drop(target: YamlMap, key: str) -> None:
    target.pop(key, None)
    target.key_pos.pop(key, None)
    target.value_pos.pop(key, None)


def strip_resets(document: YamlMap) -> YamlMap:
    """A single file's own ``!reset`` keys: they leave nothing behind."""
    return merge_documents(YamlMap(document.pos), document)
