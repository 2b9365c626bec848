"""``extends``: a service built on another one, in the same file or in another file.

The base service is taken as its own file defines it (its own ``extends`` applied
first), then the extending service is merged on top with the rules of ``merge.py``,
as compose-go's ``ApplyExtends`` does. A base in another file is read, interpolated
and normalised relative to that file's directory. A chain that comes back to a
service already on it is an error that names the whole chain.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from translator.compose.merge import OVERRIDE, RESET, merge_service
from translator.source import InputError, Position
from translator.yamlsource import YamlMap

LoadServices = Callable[[str, Path, Position], tuple[YamlMap, Path]]
"""Loads another file's normalised services: (path, directory it is relative to, where it is named)
→ (services, the directory that file's own relative paths start from)."""


class ExtendsResolver:
    """Resolves ``extends`` for the services of one file; other files are loaded on demand."""

    def __init__(self, services: YamlMap, filename: str, directory: Path, load: LoadServices) -> None:
        self.services = services
        self.filename = filename
        self.directory = directory
        self.load = load

    def apply(self) -> YamlMap:
        """The file's services with every ``extends`` merged in (a new mapping)."""
        result = YamlMap(self.services.pos)
        result.tags.update(self.services.tags)
        for name in self.services:
            own = self.services[name]
            resolved = self.resolve(name, ())
            if resolved is not own and isinstance(own, YamlMap):
                resolved = _keep_tags(resolved, own)
            result.set(name, resolved, self.services.where_key(name), self.services.where(name))
        return result

    def resolve(self, name: str, chain: tuple[tuple[str, str], ...]) -> Any:
        service = self.services[name]
        if not isinstance(service, YamlMap) or "extends" not in service:
            return service
        link = (self.filename, name)
        if link in chain:
            described = " -> ".join(f"{svc} ({file})" for file, svc in (*chain, link))
            raise InputError(
                service.where("extends"), f"extends cycle: {described}; expected a chain that ends"
            )
        ref, file = _reference(service.get("extends"), service.where("extends"), name)
        if file is None:
            if ref not in self.services:
                raise InputError(
                    service.where("extends"),
                    f"service {name!r} extends {ref!r}, which is not a service of this file",
                )
            base = self.resolve(ref, (*chain, link))
        else:
            base = self._from_file(name, ref, file, service.where("extends"), (*chain, link))
        if not isinstance(base, YamlMap):
            return service
        merged = merge_service(base, _without_extends(service))
        self.services[name] = merged  # later services extending this one reuse the result
        return merged

    def _from_file(
        self, name: str, ref: str, file: str, pos: Position, chain: tuple[tuple[str, str], ...]
    ) -> Any:
        services, directory = self.load(file, self.directory, pos)
        if ref not in services:
            raise InputError(pos, f"service {name!r} extends {ref!r}, which is not a service of {file}")
        other = ExtendsResolver(services, _filename(services, file), directory, self.load)
        return other.resolve(ref, chain)


def _reference(value: Any, pos: Position, name: str) -> tuple[str, str | None]:
    """(service, file or None) from ``extends: NAME`` or ``extends: {service, file}``."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict):
        ref, file = value.get("service"), value.get("file")
        if not isinstance(ref, str) or not ref:
            raise InputError(
                pos, f"extends of service {name!r} needs 'service', the name of the base service"
            )
        if file is not None and not isinstance(file, str):
            raise InputError(pos, f"extends.file of service {name!r} must be a path")
        return ref, file
    raise InputError(pos, f"extends of service {name!r} must be a service name or a mapping")


def _keep_tags(merged: YamlMap, own: YamlMap) -> YamlMap:
    """The extended service with its own ``!override``/``!reset`` tags back on.

    Compose applies those tags to the file's place in the merge with the files before it,
    not only to the extends base: ``ports: !override [...]`` in an override file that also
    uses ``extends`` still replaces the earlier files' ports, and a ``!reset`` key still
    removes theirs (kept here as an empty key, which that merge drops).
    """
    result = YamlMap(merged.pos)
    for key, value in merged.items():
        result.set(key, value, merged.where_key(key), merged.where(key))
    for key, tag in own.tags.items():
        if tag == RESET and key not in result:
            result.set(key, None, own.where_key(key), own.where(key))
        if key in result and tag in (RESET, OVERRIDE):
            result.tags[key] = tag
    return result


def _without_extends(service: YamlMap) -> YamlMap:
    result = YamlMap(service.pos)
    result.tags.update(service.tags)
    for key, value in service.items():
        if key != "extends":
            result.set(key, value, service.where_key(key), service.where(key))
    return result


def _filename(services: YamlMap, fallback: str) -> str:
    return services.pos.file or fallback
