"""``include``: other Compose projects loaded into this one, as compose-go's ``ApplyInclude`` does.

Each entry is a path, or ``{path, project_directory, env_file}`` where ``path`` may
list several files (merged like ``-f`` files). An included project resolves its own
relative paths from its project directory (by default the directory of its first
file) and interpolates with the including project's variables, to which its own
``.env`` (or ``env_file``) adds the ones not yet set. Its services, networks, volumes, secrets and configs
join the including file's. A name defined twice (by the including file and an included
project, or by two included projects) is an error unless both definitions are the
same, as in Docker Compose 2.x ("conflicts with imported resource").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from translator.compose.merge import merge_service_maps, merge_value
from translator.records import record
from translator.source import InputError, Position
from translator.yamlsource import YamlMap, YamlSeq, plain

RESOURCES = ("services", "volumes", "networks", "secrets", "configs", "models")


@record
class IncludeEntry:
    paths: list[str]  # absolute
    project_directory: Path
    env_files: list[str]  # absolute; empty means the project directory's .env, if any
    position: Position


LoadIncluded = Callable[[IncludeEntry], YamlMap]
"""Loads an included project's merged model (normalised services)."""


def include_entries(value: Any, pos: Position, directory: Path) -> list[IncludeEntry]:
    """Read the ``include`` list; relative paths start from ``directory``."""
    if not isinstance(value, list):
        raise InputError(pos, "'include' must be a list of paths or mappings")
    entries = []
    for index, item in enumerate(value):
        item_pos = value.where(index) if isinstance(value, YamlSeq) else pos
        entries.append(_entry(item, item_pos, directory))
    return entries


def _entry(item: Any, pos: Position, directory: Path) -> IncludeEntry:
    if isinstance(item, str):
        item = {"path": item}
    if not isinstance(item, dict):
        raise InputError(pos, "include entry must be a path or a mapping with 'path'")
    paths = _strings(item.get("path"), pos, "include path")
    if not paths:
        raise InputError(pos, "include entry needs 'path', the Compose file to include")
    resolved = [_absolute(directory, path) for path in paths]
    project_dir = item.get("project_directory")
    if project_dir is None:
        project = Path(resolved[0]).parent
    elif isinstance(project_dir, str):
        project = Path(_absolute(directory, project_dir))
    else:
        raise InputError(pos, "include project_directory must be a path")
    env_files = []
    for env_file in _strings(item.get("env_file"), pos, "include env_file"):
        if env_file != "/dev/null":
            full = _absolute(directory, env_file)
            if not Path(full).is_file():
                raise InputError(pos, f"include env_file {env_file!r} not found; expected an existing file")
            env_files.append(full)
    return IncludeEntry(resolved, project, env_files, pos)


def _strings(value: Any, pos: Position, what: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item for item in items):
        raise InputError(pos, f"{what} must be a path or a list of paths")
    return list(items)


def _absolute(directory: Path, path: str) -> str:
    return str(Path(path) if Path(path).is_absolute() else directory / path)


def check_cycle(entry: IncludeEntry, stack: Sequence[str]) -> None:
    """``include`` that comes back to a file already being loaded."""
    main = str(Path(entry.paths[0]).resolve())
    if main in stack:
        chain = " -> ".join([*stack[stack.index(main) :], main])
        raise InputError(entry.position, f"include cycle: {chain}; expected includes that end")


def import_resources(target: YamlMap, imported: YamlMap) -> YamlMap:
    """``imported``'s resources added to ``target``'s; a name in both must be defined alike."""
    result = YamlMap(target.pos)
    for key, value in target.items():
        result.set(key, value, target.where_key(key), target.where(key))
    result.tags.update(target.tags)
    for kind in RESOURCES:
        incoming = imported.get(kind)
        if not isinstance(incoming, YamlMap):
            continue
        local = result.get(kind)
        if not isinstance(local, YamlMap):
            result.set(kind, incoming, imported.where_key(kind), imported.where(kind))
            continue
        check_conflicts(kind, incoming, local)
        if kind == "services":
            result[kind] = merge_service_maps(incoming, local)
        else:
            result[kind] = merge_value(incoming, local, (kind,))
    return result


def check_conflicts(kind: str, incoming: YamlMap, local: YamlMap, raw: YamlMap | None = None) -> None:
    """Compose 2.x refuses a resource that an include brings in and another file also defines.

    It accepts one only when the two definitions are equal, comparing the included project's
    model with the other definition as written (``raw``, for the including file's services):
    a definition that normalisation changes (short port syntax, a list of environment
    variables, ...) therefore conflicts even with itself.
    """
    for name in incoming:
        if name not in local:
            continue
        as_written = raw.get(name) if raw is not None else local[name]
        if plain(incoming[name]) != plain(local[name]) or plain(as_written) != plain(local[name]):
            raise InputError(
                local.where_key(name),
                f"{kind}.{name} is also defined by an included project (conflicts with imported "
                "resource); expected one definition, or the same one in both",
            )
