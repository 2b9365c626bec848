"""Load a Compose project: read, interpolate, merge and normalise, as ``docker compose config`` does."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translator import findings as codes
from translator.compose.dotenv import parse_dotenv
from translator.compose.interpolation import Interpolator
from translator.compose.normalize import normalize_service
from translator.findings import Findings
from translator.source import InputError, Position
from translator.yamlsource import MAX_FILE_BYTES, YamlMap, YamlSeq, decode, load_single, read_source

STDIN = "-"
STDIN_NAME = "<stdin>"

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")

TOP_LEVEL_KEYS = frozenset(
    {"version", "name", "services", "networks", "volumes", "secrets", "configs", "include", "models"}
)


@dataclass
class LoadOptions:
    files: Sequence[str] = ()
    project_directory: str | None = None
    project_name: str | None = None
    env_files: Sequence[str] = ()
    profiles: Sequence[str] = ()
    environ: Mapping[str, str] | None = None
    stdin_text: str | None = None
    stdin_name: str = STDIN_NAME


@dataclass
class ComposeProject:
    name: str
    working_dir: Path
    files: list[str]
    services: YamlMap
    document: YamlMap
    findings: Findings = field(default_factory=Findings)
    environment: dict[str, str] = field(default_factory=dict)


def normalize_project_name(name: str) -> str:
    """Compose's rule: lowercase, keep ``[a-z0-9_-]``, start with a letter or digit."""
    cleaned = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return cleaned.lstrip("_-")


def read_text(path: str, stdin_text: str | None = None, stdin_name: str = STDIN_NAME) -> tuple[str, str]:
    """Return (display name, text) for a path or ``-``."""
    if path == STDIN:
        if stdin_text is None:
            import sys

            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise InputError(Position(stdin_name), f"input is larger than {MAX_FILE_BYTES:,} bytes")
            stdin_text = decode(data, stdin_name)
        return stdin_name, stdin_text
    return path, read_source(path)


def discover_files(directory: Path) -> list[str]:
    """The files ``docker compose`` reads when none is named: the first default and its override."""
    for name in DEFAULT_FILES:
        candidate = directory / name
        if candidate.is_file():
            stem, _, ext = name.rpartition(".")
            override = directory / f"{stem}.override.{ext}"
            found = [str(candidate)]
            if override.is_file():
                found.append(str(override))
            return found
    raise InputError(
        Position(str(directory)),
        "no Compose file found; expected one of " + ", ".join(DEFAULT_FILES) + " (or name a file)",
    )


class _Environment:
    """Variables for interpolation: the process environment wins over ``--env-file`` and ``.env``."""

    def __init__(self, process: Mapping[str, str], files: dict[str, str]) -> None:
        self.process = process
        self.files = files

    def __call__(self, name: str) -> str | None:
        if name in self.process:
            return self.process[name]
        return self.files.get(name)

    def merged(self) -> dict[str, str]:
        return {**self.files, **self.process}


def _project_environment(options: LoadOptions, working_dir: Path, findings: Findings) -> _Environment:
    process = dict(os.environ if options.environ is None else options.environ)
    from_files: dict[str, str] = {}
    env_files = list(options.env_files)
    if not env_files:
        default = working_dir / ".env"
        if default.is_file():
            env_files = [str(default)]
    for env_file in env_files:
        name, text = read_text(env_file)
        lookup = _Environment(process, from_files)
        from_files.update(parse_dotenv(text, name, lookup, findings=findings))
    return _Environment(process, from_files)


def load_project(options: LoadOptions) -> ComposeProject:
    files = list(options.files)
    base = Path(options.project_directory) if options.project_directory else None
    if not files:
        files = discover_files(base or Path.cwd())
    first = files[0]
    if base is None:
        base = Path.cwd() if first == STDIN else Path(first).parent
    working_dir = base.resolve()
    findings = Findings()
    environment = _project_environment(options, working_dir, findings)
    interpolator = Interpolator(environment, findings)

    documents: list[YamlMap] = []
    names: list[str] = []
    for path in files:
        name, text = read_text(path, options.stdin_text, options.stdin_name)
        names.append(name)
        document = load_single(text, name)
        if not isinstance(document, YamlMap):
            raise InputError(
                getattr(document, "pos", Position(name, 1, 1)),
                "expected a Compose file: a mapping with a top-level 'services' key",
            )
        documents.append(interpolator.tree(document, document.pos))
    if len(documents) > 1:
        raise InputError(Position(names[1]), "merging several Compose files is not supported yet")
    document = documents[0]
    _check_top_level(document, findings)

    project_name = options.project_name or environment.process.get("COMPOSE_PROJECT_NAME")
    if not project_name and isinstance(document.get("name"), str) and document["name"]:
        project_name = document["name"]
    if not project_name:
        project_name = working_dir.name
    project_name = normalize_project_name(project_name)
    if not project_name:
        raise InputError(document.where("name"), "project name is empty after normalisation; use -p NAME")

    raw_services = document.get("services")
    if raw_services is None:
        raw_services = YamlMap(document.pos)
    if not isinstance(raw_services, YamlMap):
        raise InputError(
            document.where("services"), "'services' must be a mapping of service names to services"
        )
    services = YamlMap(raw_services.pos)
    active = set(options.profiles) | _profiles_from(environment)
    for service_name, service in raw_services.items():
        _check_service_name(service_name, raw_services.where_key(service_name))
        if not _profile_active(service, active):
            findings.add(
                codes.PROFILE_SKIPPED,
                raw_services.where_key(service_name),
                f"service {service_name!r} was left out: none of its profiles is active",
                "pass --profile NAME to include it",
                path=f"services.{service_name}",
                subject=service_name,
            )
            continue
        normalized = normalize_service(
            service_name, service, raw_services.where(service_name), working_dir, environment
        )
        _apply_env_files(normalized, working_dir, environment, findings)
        services.set(
            service_name, normalized, raw_services.where_key(service_name), raw_services.where(service_name)
        )
    return ComposeProject(
        project_name, working_dir, names, services, document, findings, environment.merged()
    )


def _env_file_entries(value: Any, pos: Position) -> list[tuple[str, bool, Position]]:
    """``env_file``: a path, or a list of paths and ``{path, required, format}`` mappings."""
    items = value if isinstance(value, list) else [value]
    entries = []
    for index, item in enumerate(items):
        item_pos = items.where(index) if isinstance(items, YamlSeq) else pos
        if isinstance(item, dict):
            path, required = item.get("path"), item.get("required", True)
        else:
            path, required = item, True
        if not isinstance(path, str) or not path:
            raise InputError(item_pos, "env_file entry must be a path or a mapping with 'path'")
        entries.append((path, required is not False and str(required).lower() != "false", item_pos))
    return entries


def _apply_env_files(
    service: YamlMap, working_dir: Path, environment: _Environment, findings: Findings
) -> None:
    """Variables from ``env_file`` come first; ``environment`` overrides them, as in Compose."""
    value = service.get("env_file")
    if value is None:
        return
    merged = YamlMap(service.where("env_file"))
    for path, required, pos in _env_file_entries(value, service.where("env_file")):
        full = Path(path) if Path(path).is_absolute() else working_dir / path
        if not full.is_file():
            if required:
                raise InputError(
                    pos, f"env_file {path!r} not found; expected an existing file (or required: false)"
                )
            continue
        name, text = read_text(str(full))
        for key, item in parse_dotenv(text, name, environment, findings=findings).items():
            merged.set(key, item, pos, pos)
    own = service.get("environment")
    if isinstance(own, YamlMap):
        for key, item in own.items():
            merged.set(key, item, own.where_key(key), own.where(key))
    service.set("environment", merged, service.where_key("env_file"), merged.pos)


def _profiles_from(environment: _Environment) -> set[str]:
    """``COMPOSE_PROFILES`` activates profiles as ``--profile`` does."""
    value = environment("COMPOSE_PROFILES") or ""
    return {p.strip() for p in value.split(",") if p.strip()}


def _profile_active(service: Any, active: set[str]) -> bool:
    profiles = service.get("profiles") if isinstance(service, dict) else None
    if profiles is None or profiles == []:
        return True
    if not isinstance(profiles, list):
        where = service.where("profiles") if isinstance(service, YamlMap) else None
        raise InputError(where, "profiles must be a list of profile names")
    names = [str(p) for p in profiles]
    return "*" in active or any(name in active for name in names)


_SERVICE_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")


def _check_service_name(name: str, pos: Position) -> None:
    if not _SERVICE_NAME.match(name):
        raise InputError(pos, f"invalid service name {name!r}; expected letters, digits, '.', '_' or '-'")


def _check_top_level(document: YamlMap, findings: Findings) -> None:
    if "services" not in document and not any(k in document for k in ("include",)):
        raise InputError(document.pos, "expected a Compose file: a mapping with a top-level 'services' key")
    for key in document:
        if key not in TOP_LEVEL_KEYS and not key.startswith("x-"):
            findings.add(
                codes.UNKNOWN_TOP_LEVEL,
                document.where_key(key),
                f"unknown top-level key {key!r} was ignored",
                "remove it, or prefix it with x- to mark it as an extension",
                path=key,
            )


def service_items(project: ComposeProject) -> list[tuple[str, YamlMap]]:
    return [(name, svc) for name, svc in project.services.items() if isinstance(svc, YamlMap)]


def value_at(mapping: YamlMap, *keys: str) -> Any:
    current: Any = mapping
    for key in keys:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current
