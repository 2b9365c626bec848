"""Docker Compose's own view of a project, and the same fields from our loader, for comparison.

``python -m tests.compose_reference`` rewrites ``fixtures/compose-loader/*/expected.*.json``
with ``docker-compose config --format json`` (the official CLI, in the venv); the tests
only read the stored files, so they need no Docker Compose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers import FIXTURES
from translator.compose.loader import LoadOptions, load_project
from translator.yamlsource import plain

LOADER_FIXTURES = FIXTURES / "compose-loader"
DOCKER_COMPOSE = Path(sys.executable).parent / "docker-compose"

# The fields the translator reads (secrets and configs: to report them), as dotted paths.
FIELDS = (
    "image", "build", "command", "entrypoint", "environment", "ports", "expose", "network_mode",
    "networks", "links", "depends_on", "healthcheck", "deploy.replicas", "extra_hosts", "hostname",
    "dns", "dns_search", "dns_opt", "env_file", "secrets", "configs", "stop_grace_period", "stop_signal",
    "cpus", "mem_limit", "mem_reservation", "deploy.resources",
)  # fmt: skip


def variants(case: Path) -> dict[str, dict[str, Any]]:
    loaded: dict[str, dict[str, Any]] = json.loads((case / "case.json").read_text(encoding="utf-8"))[
        "variants"
    ]
    return loaded


def load_options(case: Path, variant: dict[str, Any]) -> LoadOptions:
    directory = variant.get("project_directory")
    return LoadOptions(
        files=[str(case / f) for f in variant.get("files", [])],
        project_directory=str(case / directory) if directory else None,
        project_name=variant.get("project_name"),
        env_files=[str(case / f) for f in variant.get("env_files", [])],
        profiles=variant.get("profiles", []),
        environ=variant.get("env", {}),
    )


def ours(options: LoadOptions, case: Path) -> dict[str, Any]:
    """Our loader's project in ``config``'s terms: selected fields, ``$CASE_DIR`` paths, ``$$``."""
    project = load_project(options)
    services = {name: select(plain(svc)) for name, svc in project.services.items()}
    return {"name": project.name, "services": as_printed(services, case)}


def select(service: dict[str, Any]) -> dict[str, Any]:
    picked: dict[str, Any] = {}
    for field in FIELDS:
        value: Any = service
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None and not (field == "deploy.resources" and value == {}):  # config prints {}
            picked[field] = value
    return picked


def as_printed(value: Any, case: Path) -> Any:
    """Strings as ``config`` prints them: a literal ``$`` doubled, the case folder as ``$CASE_DIR``."""
    if isinstance(value, str):
        text = value.replace("$", "$$")
        return text.replace(str(case), "$CASE_DIR").replace(str(case.parent), "$CASE_DIR/..")
    if isinstance(value, dict):
        return {k: as_printed(v, case) for k, v in value.items()}
    if isinstance(value, list):
        return [as_printed(v, case) for v in value]
    return value


def theirs(config: dict[str, Any]) -> dict[str, Any]:
    """Docker Compose's ``config`` output reduced to the same fields."""
    return {
        "name": config.get("name"),
        "services": {name: select(svc) for name, svc in config.get("services", {}).items()},
    }


def run_docker_compose(case: Path, variant: dict[str, Any]) -> dict[str, Any]:
    command = [str(DOCKER_COMPOSE)]
    for file in variant.get("files", []):
        command += ["-f", file]
    if variant.get("project_directory"):
        command += ["--project-directory", variant["project_directory"]]
    if variant.get("project_name"):
        command += ["-p", variant["project_name"]]
    for env_file in variant.get("env_files", []):
        command += ["--env-file", env_file]
    for profile in variant.get("profiles", []):
        command += ["--profile", profile]
    command += ["config", "--format", "json"]
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", **variant.get("env", {})}
    done = subprocess.run(command, cwd=case, env=environ, capture_output=True, text=True, check=False)
    if not done.stdout.strip():
        raise RuntimeError(f"{case.name}: docker-compose failed: {done.stderr}")
    text = done.stdout.replace(str(case), "$CASE_DIR")
    result: dict[str, Any] = json.loads(text)
    return result


def main() -> None:
    for case in sorted(p.parent for p in LOADER_FIXTURES.glob("*/case.json")):
        for name, variant in variants(case).items():
            expected = run_docker_compose(case, variant)
            target = case / f"expected.{name}.json"
            target.write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            print(f"wrote {target.relative_to(FIXTURES)}")


if __name__ == "__main__":
    main()
