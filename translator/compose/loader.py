"""Load a Compose project: read, interpolate, merge and normalise, as ``docker compose config`` does."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

from translator import findings as codes
from translator.compose.consistency import check_consistency, check_empty_values, check_service_keys
from translator.compose.dotenv import parse_dotenv
from translator.compose.extends import ExtendsResolver, LoadServices
from translator.compose.include import (
    IncludeEntry,
    check_conflicts,
    check_cycle,
    import_resources,
    include_entries,
)
from translator.compose.interpolation import Interpolator
from translator.compose.keep import VariableKeeper
from translator.compose.merge import enforce_unicity, merge_documents, merge_service_maps, strip_resets
from translator.compose.normalize import normalize_service
from translator.findings import Findings
from translator.records import record
from translator.source import InputError, Position
from translator.variables import KeptVariable, names_below
from translator.yamlsource import ComposeScalars, YamlMap, YamlSeq, load_documents, read_source, read_stdin

STDIN = "-"
STDIN_NAME = "<stdin>"

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")

TOP_LEVEL_KEYS = frozenset(
    {"version", "name", "services", "networks", "volumes", "secrets", "configs", "include", "models"}
)


@record
class LoadOptions:
    files: Sequence[str] = ()
    project_directory: str | None = None
    project_name: str | None = None
    env_files: Sequence[str] = ()
    profiles: Sequence[str] = ()
    environ: Mapping[str, str] | None = None
    stdin_text: str | None = None
    stdin_name: str = STDIN_NAME
    keep_variables: bool = False  # keep ${NAME} as Nomad job variables (translator/compose/keep.py)
    # False skips the checks Compose skips with --no-consistency (see consistency.py)
    consistency: bool = True


@record
class ComposeProject:
    name: str
    working_dir: Path
    files: list[str]
    services: YamlMap
    document: YamlMap
    findings: Findings = field(default_factory=Findings)
    environment: dict[str, str] = field(default_factory=dict)
    variables: list[KeptVariable] = field(default_factory=list)  # --keep-variables


def normalize_project_name(name: str) -> str:
    """Compose's rule: lowercase, keep ``[a-z0-9_-]``, start with a letter or digit."""
    cleaned = re.sub(r"[^a-z0-9_-]", "", name.lower())
    return cleaned.lstrip("_-")


def read_text(path: str, stdin_text: str | None = None, stdin_name: str = STDIN_NAME) -> tuple[str, str]:
    """Return (display name, text) for a path or ``-``."""
    if path == STDIN:
        if stdin_text is None:
            stdin_text = read_stdin(stdin_name)
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

    def __init__(
        self, process: Mapping[str, str], files: dict[str, str], defaults: Mapping[str, str] | None = None
    ) -> None:
        self.process = process
        self.files = files
        # The env files' values alone: a kept variable's default comes from them (--keep-variables).
        self.defaults = files if defaults is None else defaults

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
        # Compose reads every file into one map: a key defined earlier in this file wins over
        # the same key from an earlier file, and the process environment over both.
        parsed = parse_dotenv(text, name, process.get, findings=findings, fallback=from_files.get)
        from_files.update(parsed)
    return _Environment(process, from_files)


def load_project(options: LoadOptions, unkept: Mapping[str, str] | None = None) -> ComposeProject:
    """The resolved project. ``unkept``: variables ``--keep-variables`` must resolve everywhere."""
    if options.keep_variables and STDIN in options.files and options.stdin_text is None:
        # Kept variables may need a second load (VariableKeeper.conflicts): read standard input once.
        options = dataclasses.replace(options, stdin_text=read_stdin(options.stdin_name))
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
    loader = _ModelLoader(options, findings, unkept or {})
    project_name = _project_name(options, files, environment, working_dir, loader)
    # Compose lets the files interpolate the project's own name.
    environment.process = {**environment.process, "COMPOSE_PROJECT_NAME": project_name}
    document = loader.load_files(files, working_dir, environment, ())
    names = loader.top_names
    if "services" not in document:
        # Compose would print an empty project; there is nothing to translate.
        raise InputError(document.pos, "expected a Compose file: a mapping with a top-level 'services' key")

    services = document.get("services")
    if not isinstance(services, YamlMap):
        services = YamlMap(document.pos)
    default_build_context(services, working_dir)
    for service in services.values():
        if isinstance(service, YamlMap):
            add_implicit_defaults(service)
    # --profile replaces COMPOSE_PROFILES rather than adding to it (compose-go's WithDefaultProfiles)
    active = set(options.profiles) or _profiles_from(environment)
    if options.consistency:
        enabled = {name for name, svc in services.items() if svc is not None and _profile_active(svc, active)}
        check_consistency(document, services, enabled)
    services = select_profiles(services, active, findings)
    check_dependencies(services, findings)
    for service in services.values():
        if isinstance(service, YamlMap):
            _apply_env_files(service, environment, findings)
    variables: list[KeptVariable] = []
    if loader.keeper is not None:
        conflicts = loader.keeper.conflicts()
        if conflicts and unkept is None:
            return load_project(options, conflicts)
        present = names_below(services)
        variables = [v for v in loader.keeper.finish() if v.name in present]
    return ComposeProject(
        project_name, working_dir, names, services, document, findings, environment.merged(), variables
    )


def _project_name(
    options: LoadOptions,
    files: Sequence[str],
    environment: _Environment,
    working_dir: Path,
    loader: _ModelLoader,
) -> str:
    """``-p``, else ``COMPOSE_PROJECT_NAME``, else the last file's ``name:``, else the directory's name.

    As in Compose, ``-p`` and ``COMPOSE_PROJECT_NAME`` must already be valid names; a
    ``name:`` is normalised, and once a file declares one the directory is no fallback.
    """
    for given, source in ((options.project_name, "-p"), (environment("COMPOSE_PROJECT_NAME"), "")):
        if not given:
            continue  # an empty COMPOSE_PROJECT_NAME (.env may set it too) counts as unset
        if normalize_project_name(given) != given:
            raise InputError(
                Position(source or "COMPOSE_PROJECT_NAME"),
                f"invalid project name {given!r}; expected lowercase letters, digits, "
                "'-' and '_', starting with a letter or digit",
            )
        return given
    declared = None
    for path in files:
        declared = loader.declared_name(path) or declared
    if declared is not None:
        where = declared[1]
        value = Interpolator(environment, Findings()).string(declared[0], where, "name")
        name = normalize_project_name(value)
        if not name:
            raise InputError(
                where, f"project name {value!r} is empty once normalised; expected a name or use -p"
            )
        return name
    name = normalize_project_name(working_dir.name)
    if not name:
        raise InputError(Position(str(working_dir)), "project name is empty after normalisation; use -p NAME")
    return name


class _ModelLoader:
    """Reads files into one merged model: interpolation, include, extends, normalisation, merge."""

    def __init__(self, options: LoadOptions, findings: Findings, unkept: Mapping[str, str]) -> None:
        self.options = options
        self.findings = findings
        self.top_names: list[str] = []
        self._texts: dict[str, tuple[str, str]] = {}
        self._documents: dict[str, tuple[str, list[Any]]] = {}
        self.keeper = VariableKeeper(findings, unkept) if options.keep_variables else None

    def load_files(
        self, files: Sequence[str], directory: Path, environment: _Environment, stack: tuple[str, ...]
    ) -> YamlMap:
        """Several files merged in order (``-f a -f b``, or an include's list of paths).

        A file of several YAML documents counts as that many files, merged in order, as
        compose-go reads it."""
        merged: YamlMap | None = None
        for path in files:
            for index in range(len(self._document(path)[1])):
                document = self.load_file(path, directory, environment, stack, merged, index)
                merged = strip_resets(document) if merged is None else merge_documents(merged, document)
        assert merged is not None
        return merged

    def declared_name(self, path: str) -> tuple[str, Position] | None:
        """The file's ``name:`` as written (Compose interpolates only the last one set)."""
        try:
            _, documents = self._document(path)
        except InputError:
            return None  # reported when the file is loaded
        found = None
        for document in documents:
            if isinstance(document, YamlMap) and isinstance(document.get("name"), str) and document["name"]:
                found = (document["name"], document.where("name"))
        return found

    def _text(self, path: str) -> tuple[str, str]:
        """Each file is read once (standard input can only be read once)."""
        if path not in self._texts:
            self._texts[path] = read_text(path, self.options.stdin_text, self.options.stdin_name)
        return self._texts[path]

    def _document(self, path: str) -> tuple[str, list[Any]]:
        """Each file is parsed once: the project name is read from it before the full load.
        Interpolation copies the tree, so the cached documents are never changed."""
        if path not in self._documents:
            name, text = self._text(path)
            scalars = ComposeScalars()
            documents = list(load_documents(text, name, scalars)) or [None]
            if scalars.timestamps:
                _refuse_times(documents, set(scalars.timestamps))
            self._documents[path] = (name, documents)
        return self._documents[path]

    def read(self, path: str, environment: _Environment, index: int = 0) -> tuple[str, YamlMap]:
        """One file (or one document of it) read and interpolated: a mapping, or an error."""
        name, documents = self._document(path)
        document = documents[index]
        if not isinstance(document, YamlMap):
            raise InputError(
                getattr(document, "pos", Position(name, 1, 1)),
                "expected a Compose file: a mapping with a top-level 'services' key",
            )
        keeper = self.keeper.scoped(environment.defaults) if self.keeper is not None else None
        interpolated: YamlMap = Interpolator(environment, self.findings, keeper).tree(document, document.pos)
        return name, interpolated

    def load_file(
        self,
        path: str,
        directory: Path,
        environment: _Environment,
        stack: tuple[str, ...],
        before: YamlMap | None = None,
        index: int = 0,
    ) -> YamlMap:
        """One file's (document's) model; ``before`` is what the files before it merged to."""
        name, document = self.read(path, environment, index)
        if self.options.consistency:
            # Compose validates the files merged so far: an empty key passes over a value.
            check_empty_values(document, before)
        if not stack and index == 0:
            self.top_names.append(name)
        _check_top_level(document, self.findings, self.options.consistency)
        services = _normalized_services(document, directory, environment, self.options.consistency)
        raw_services = document.get("services")
        if "include" in document:
            here = stack + ((str(Path(path).resolve()),) if path != STDIN else ())
            document = self._include(document, directory, environment, here)
            included = document.get("services")
            if isinstance(included, YamlMap):
                if services is not None:
                    check_conflicts(
                        "services",
                        included,
                        services,
                        raw_services if isinstance(raw_services, YamlMap) else None,
                    )
                services = merge_service_maps(included, services) if services is not None else included
        if services is not None:
            services = ExtendsResolver(services, name, directory, self._extends_source(environment)).apply()
            result = _replace(document, "services", services)
        else:
            result = document
        return result

    def _include(
        self, document: YamlMap, directory: Path, environment: _Environment, stack: tuple[str, ...]
    ) -> YamlMap:
        """The file's model with every included project's resources imported."""
        own = _replace(document, "services", None)
        own.pop("include")
        result = own
        for entry in include_entries(document["include"], document.where("include"), directory):
            check_cycle(entry, stack)
            for path in entry.paths:
                if not Path(path).is_file():
                    raise InputError(
                        entry.position, f"included file {path!r} not found; expected a Compose file"
                    )
            included_env = _included_environment(environment, entry, self.findings)
            imported = self.load_files(entry.paths, entry.project_directory, included_env, stack)
            default_build_context(imported.get("services"), entry.project_directory)
            result = import_resources(result, imported)
        return result

    def _extends_source(self, environment: _Environment) -> LoadServices:
        def load(file: str, directory: Path, pos: Position) -> tuple[YamlMap, Path]:
            full = Path(file) if Path(file).is_absolute() else directory / file
            if not full.is_file():
                raise InputError(pos, f"extends file {file!r} not found; expected an existing Compose file")
            _, document = self.read(str(full), environment)
            services = _normalized_services(document, full.parent, environment, self.options.consistency)
            if services is None:
                raise InputError(pos, f"extends file {file!r} has no services")
            return services, full.parent

        return load


def _refuse_times(documents: list[Any], times: set[Position]) -> None:
    """Refuse a plain value that Compose reads as a time, unless it is in an ``x-`` extension.

    Compose's schema allows a time nowhere ("invalid jsonType time.Time"), and leaves the
    extensions unchecked."""

    def walk(value: Any, path: str) -> None:
        if isinstance(value, YamlMap):
            for key, item in value.items():
                if not str(key).startswith("x-"):
                    check(item, value.where(key), f"{path}.{key}" if path else str(key))
        elif isinstance(value, YamlSeq):
            for index, item in enumerate(value):
                check(item, value.where(index), f"{path}[{index}]")

    def check(value: Any, pos: Position, path: str) -> None:
        if pos in times and isinstance(value, str):
            raise InputError(
                pos,
                f"{path} is a time in YAML ({value}), not a string; expected a string, number, "
                "boolean or null: quote it",
            )
        walk(value, path)

    for document in documents:
        walk(document, "")


def _normalized_services(
    document: YamlMap, directory: Path, environment: _Environment, strict: bool = True
) -> YamlMap | None:
    """The file's ``services`` in long syntax, paths resolved from ``directory``; None without any.

    ``strict`` refuses a key the Compose specification does not define, as Compose's schema
    validation of each file does; without it the parser reports the key (L001)."""
    raw = document.get("services")
    if raw is None:
        return None
    if not isinstance(raw, YamlMap):
        raise InputError(
            document.where("services"), "'services' must be a mapping of service names to services"
        )
    services = YamlMap(raw.pos)
    services.tags.update(raw.tags)
    for name, service in raw.items():
        _check_service_name(name, raw.where_key(name))
        if raw.tags.get(name) == "!reset":
            services.set(name, None, raw.where_key(name), raw.where(name))
            continue
        if isinstance(service, YamlMap):
            _check_profiles(service)  # before normalising, which would accept a single string
            if strict:
                check_service_keys(name, service)
        normalized = normalize_service(name, service, raw.where(name), directory, environment)
        services.set(name, enforce_unicity(normalized), raw.where_key(name), raw.where(name))
    return services


def _replace(document: YamlMap, key: str, value: Any) -> YamlMap:
    """A copy of ``document`` with ``key`` set to ``value`` (or removed when None)."""
    result = YamlMap(document.pos)
    result.tags.update(document.tags)
    for name, item in document.items():
        if name != key:
            result.set(name, item, document.where_key(name), document.where(name))
        elif value is not None:
            result.set(name, value, document.where_key(name), document.where(name))
    if value is not None and key not in result:
        result.set(key, value, value.pos, value.pos)
    return result


def _included_environment(environment: _Environment, entry: IncludeEntry, findings: Findings) -> _Environment:
    """An included project sees the including project's variables, then its own .env (or env_file)."""
    env_files = entry.env_files
    if not env_files:
        default = entry.project_directory / ".env"
        env_files = [str(default)] if default.is_file() else []
    own: dict[str, str] = {}
    for env_file in env_files:
        name, text = read_text(env_file)
        own.update(parse_dotenv(text, name, environment, findings=findings, fallback=own.get))
    # compose-go's Mapping.Merge: the included file only adds variables the including project
    # does not already have (from the process environment or its own .env).
    return _Environment({**own, **environment.merged()}, {}, {**own, **environment.defaults})


def _apply_env_files(service: YamlMap, environment: _Environment, findings: Findings) -> None:
    """Variables from ``env_file`` come first; ``environment`` overrides them, as in Compose.

    Values in the files interpolate from the project's variables, then from the
    service's own ``environment``, then from keys read before them.
    """
    entries = service.get("env_file")
    if not isinstance(entries, YamlSeq):
        return
    own = service.get("environment")
    own = own if isinstance(own, YamlMap) else YamlMap(service.where("env_file"))

    def lookup(name: str) -> str | None:
        found = environment(name)
        return own.get(name) if found is None else found

    merged = YamlMap(own.pos)
    values: dict[str, str] = {}
    for index, entry in enumerate(entries):
        pos = entries.where(index)
        path = str(entry["path"])
        if not Path(path).is_file():
            if entry.get("required", True):
                raise InputError(
                    pos, f"env_file {path!r} not found; expected an existing file (or required: false)"
                )
            continue
        name, text = read_text(path)
        fmt = str(entry.get("format") or "")
        for key, item in _parse_env_file(text, name, fmt, lookup, values, findings, pos).items():
            values[key] = item
            merged.set(key, item, pos, pos)
    for key, item in own.items():
        merged.set(key, item, own.where_key(key), own.where(key))
    service.pop("env_file")
    if merged:
        service.set("environment", merged, service.where_key("environment"), merged.pos)


def _parse_env_file(
    text: str,
    name: str,
    fmt: str,
    lookup: Callable[[str], str | None],
    values: dict[str, str],
    findings: Findings,
    pos: Position,
) -> dict[str, str]:
    if fmt in ("", ".env"):
        return parse_dotenv(text, name, lookup, findings=findings, fallback=values.get)
    if fmt == "raw":
        # One KEY=VALUE per line, taken as written: no quotes, no interpolation.
        raw: dict[str, str] = {}
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                raw[key] = value
        return raw
    raise InputError(pos, f"unsupported env_file format {fmt!r}; expected .env or raw")


def _profiles_from(environment: _Environment) -> set[str]:
    """``COMPOSE_PROFILES`` activates profiles when no ``--profile`` is given."""
    value = environment("COMPOSE_PROFILES") or ""
    return {p.strip() for p in value.split(",") if p.strip()}


def _check_profiles(service: YamlMap) -> None:
    profiles = service.get("profiles")
    if profiles is not None and not isinstance(profiles, list):
        raise InputError(service.where("profiles"), "profiles must be a list of profile names")


def _profile_active(service: Any, active: set[str]) -> bool:
    profiles = service.get("profiles") if isinstance(service, dict) else None
    if not profiles:
        return True
    return "*" in active or any(str(name) in active for name in profiles)


def select_profiles(services: YamlMap, active: set[str], findings: Findings) -> YamlMap:
    """Services of no inactive profile; then those that need a left-out service go too.

    Docker Compose refuses a project whose service depends on one left out by its
    profiles, and so does the consistency check before this. With ``--no-consistency``
    leaving the dependant out as well keeps the rest translatable, and the finding says why.
    """
    kept = YamlMap(services.pos)
    for name, service in services.items():
        if service is None:
            continue
        if _profile_active(service, active):
            kept.set(name, service, services.where_key(name), services.where(name))
            continue
        findings.add(
            codes.PROFILE_SKIPPED,
            services.where_key(name),
            f"service {name!r} was left out: none of its profiles is active",
            "pass --profile NAME to include it",
            path=f"services.{name}",
            subject=name,
        )
    changed = True
    while changed:
        changed = False
        for name, service in list(kept.items()):
            missing = _needs_left_out(service, kept, services)
            if missing is None:
                continue
            findings.add(
                codes.DEPENDANT_SKIPPED,
                kept.where_key(name),
                f"service {name!r} was left out: it depends on {missing!r}, which is left out",
                f"pass the --profile that enables {missing!r}, or give {name!r} the same profiles",
                path=f"services.{name}.depends_on",
                subject=name,
            )
            del kept[name]
            changed = True
    return kept


def _required(spec: Any) -> bool:
    return not isinstance(spec, dict) or spec.get("required", True) is not False


def _needs_left_out(service: Any, kept: YamlMap, every: YamlMap) -> str | None:
    depends = service.get("depends_on") if isinstance(service, YamlMap) else None
    if not isinstance(depends, YamlMap):
        return None
    for target, spec in depends.items():
        if _required(spec) and target in every and target not in kept:
            return str(target)
    return None


def check_dependencies(services: YamlMap, findings: Findings) -> None:
    """Dependencies must not form a cycle; one on an undefined service is reported.

    Docker Compose refuses both; an undefined one is refused by the consistency check
    unless ``--no-consistency``, and then only a warning here, so that a fragment translates.
    """
    for name, service in services.items():
        depends = service.get("depends_on") if isinstance(service, YamlMap) else None
        if not isinstance(depends, YamlMap):
            continue
        for target, spec in depends.items():
            if _required(spec) and target not in services:
                findings.add(
                    codes.UNDEFINED_DEPENDENCY,
                    depends.where_key(target),
                    f"service {name!r} depends on {target!r}, which the project does not define",
                    f"define {target!r}, or remove the dependency (docker compose refuses it)",
                    path=f"services.{name}.depends_on.{target}",
                    subject=name,
                )
    _check_cycles(services)


def _dependencies(services: YamlMap, name: str) -> list[str]:
    service = services.get(name)
    depends = service.get("depends_on") if isinstance(service, YamlMap) else None
    return [str(t) for t in depends if t in services] if isinstance(depends, YamlMap) else []


def _check_cycles(services: YamlMap) -> None:
    """Depth-first search without recursion: chains of a thousand services are fine."""
    done: set[str] = set()
    for root in services:
        if root in done:
            continue
        path: list[str] = [root]
        on_path = {root}
        pending = [iter(_dependencies(services, root))]
        while pending:
            target = next(pending[-1], None)
            if target is None:
                pending.pop()
                done.add(path[-1])
                on_path.discard(path.pop())
            elif target in on_path:
                cycle = [*path[path.index(target) :], target]
                raise InputError(
                    services[cycle[0]]["depends_on"].where_key(cycle[1]),
                    "dependency cycle: "
                    + " -> ".join(cycle)
                    + "; expected services that can start in an order",
                )
            elif target not in done:
                path.append(target)
                on_path.add(target)
                pending.append(iter(_dependencies(services, target)))


def default_build_context(services: Any, directory: Path) -> None:
    """A build without ``context`` builds the project directory (an included project's own)."""
    for service in services.values() if isinstance(services, YamlMap) else ():
        build = service.get("build") if isinstance(service, YamlMap) else None
        if isinstance(build, YamlMap) and "context" not in build:
            build.set("context", str(directory), build.pos, build.pos)


def add_implicit_defaults(service: YamlMap) -> None:
    """What Compose adds to a service once merged: default network, implied dependencies, build default."""
    if "network_mode" not in service and "provider" not in service and not service.get("networks"):
        networks = YamlMap(service.pos)
        networks.set("default", None, service.pos, service.pos)
        service.set("networks", networks, service.where_key("networks"), service.pos)
    depends = service.get("depends_on")
    for spec in depends.values() if isinstance(depends, YamlMap) else ():
        if isinstance(spec, YamlMap):
            # Compose's defaults, added once the files are merged; restart: false is not printed
            for key, default in (("condition", "service_started"), ("required", True)):
                if key not in spec:
                    spec.set(key, default, spec.pos, spec.pos)
            if spec.get("restart") is False:
                spec.pop("restart")
    implied = depends if isinstance(depends, YamlMap) else YamlMap(service.pos)
    links = service.get("links")
    if isinstance(links, YamlSeq):
        for index, link in enumerate(links):
            parts = str(link).split(":")
            _imply(implied, parts[0] if len(parts) == 2 else str(link), links.where(index))
    for namespace in ("network_mode", "ipc", "pid", "uts", "cgroup"):
        mode = service.get(namespace)
        if isinstance(mode, str) and mode.startswith("service:"):
            _imply(implied, mode[len("service:") :], service.where(namespace))
    shared = service.get("volumes_from")
    if isinstance(shared, YamlSeq):
        for index, source in enumerate(shared):
            if isinstance(source, str) and not source.startswith("container:"):
                # Compose waits for the service whose volumes are shared, but does not restart with it.
                _imply(implied, source.split(":")[0], shared.where(index), restart=False)
    if implied and not isinstance(depends, YamlMap):
        service.set("depends_on", implied, implied.pos, implied.pos)
    build = service.get("build")
    if isinstance(build, YamlMap):
        if "dockerfile" not in build and "dockerfile_inline" not in build:
            build.set("dockerfile", "Dockerfile", build.pos, build.pos)
        for key in [key for key, value in build.items() if value in ("", [], {})]:
            build.pop(key)  # omitted by Compose (dockerfile: ${UNSET} leaves no default either)
    for key in OMITTED_WHEN_EMPTY:
        if key in service and service[key] in ("", [], {}):
            service.pop(key)  # Compose prints no empty value for these, and ignores them
    healthcheck = service.get("healthcheck")
    if isinstance(healthcheck, YamlMap):
        for key in ("test", "disable"):
            if key in healthcheck and healthcheck[key] in ([], False):
                healthcheck.pop(key)  # not printed by Compose; disable: false is the default


OMITTED_WHEN_EMPTY = (
    "environment", "depends_on", "ports", "expose", "links", "dns", "dns_search", "dns_opt",
    "extra_hosts", "hostname", "network_mode", "domainname",
)  # fmt: skip


IMPLIED = "!implied"
"""Tag on a ``depends_on`` key that Compose added for ``links`` or ``network_mode: service:X``."""


def _imply(depends: YamlMap, target: str, pos: Position, restart: bool = True) -> None:
    """A dependency that ``links``, ``volumes_from`` or ``service:X`` implies, as Compose adds it."""
    if target in depends:
        return
    depends.tags[target] = IMPLIED  # the parser does not report what the user did not write
    entry = YamlMap(pos)
    for key, value in (("condition", "service_started"), ("restart", restart), ("required", True)):
        if value is not False:  # Compose prints no restart: false
            entry.set(key, value, pos, pos)
    depends.set(target, entry, pos, pos)


_SERVICE_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")


def _check_service_name(name: str, pos: Position) -> None:
    if not _SERVICE_NAME.match(name):
        raise InputError(pos, f"invalid service name {name!r}; expected letters, digits, '.', '_' or '-'")


def _check_top_level(document: YamlMap, findings: Findings, strict: bool = True) -> None:
    # A file without services is fine beside others (an override adding networks, a second
    # YAML document); the project as a whole needs them (load_project).
    for key in document:
        if key not in TOP_LEVEL_KEYS and not key.startswith("x-"):
            if strict:  # Compose's schema refuses it
                raise InputError(
                    document.where_key(key),
                    f"unknown top-level key {key!r}; expected one of "
                    + ", ".join(sorted(TOP_LEVEL_KEYS))
                    + ", or x- for an extension",
                )
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
