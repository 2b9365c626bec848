"""The one Jinja environment all emitters render with.

An installed wheel carries the templates compiled to Python modules (see
``hatch_build.py``), which load without Jinja's compile step; a source checkout
compiles ``templates/`` on first use. Either way templates load once per run.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from translator.emit.docker import hcl_docker_option
from translator.emit.escape import hcl_config_value, hcl_value
from translator.report.escape import REPORT_FILTERS

PACKAGE = Path(__file__).resolve().parent.parent
COMPILED = PACKAGE / "_compiled_templates"

# Settings that shape the compiled code: the build hook compiles with exactly these.
SETTINGS: dict[str, Any] = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
    "autoescape": False,
}


def templates_dir() -> Path:
    """The installed copy inside the package, else the repository's top-level ``templates/``."""
    for candidate in (PACKAGE / "templates", PACKAGE.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("translator templates not found")  # pragma: no cover - broken install


def _comment(text: str) -> str:
    """Comments are one line; input text cannot end them early."""
    return " ".join(str(text).split())


def _with_filters(env: jinja2.Environment) -> jinja2.Environment:
    """Every string a template writes goes through one of these (Jinja checks them at compile time)."""
    # Values may be ``nomad.Interpolated``: only their literal parts are escaped.
    env.filters["hcl"] = hcl_value
    env.filters["hcl_config"] = hcl_config_value
    env.filters["hcl_list"] = lambda values: "[" + ", ".join(hcl_value(v) for v in values) + "]"
    env.filters["hcl_config_list"] = lambda values: "[" + ", ".join(hcl_config_value(v) for v in values) + "]"
    env.filters["hcl_bool"] = lambda value: "true" if value else "false"
    env.filters["comment"] = _comment
    env.filters["hcl_docker_option"] = hcl_docker_option
    env.filters.update(REPORT_FILTERS)  # Markdown and JSON report filters (translator/report/escape.py)
    return env


def source_environment() -> jinja2.Environment:
    """An environment that compiles the template sources (also what the build hook uses)."""
    loader = jinja2.FileSystemLoader(str(templates_dir()))
    return _with_filters(jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, **SETTINGS))


@cache
def environment() -> jinja2.Environment:
    if COMPILED.is_dir():
        loader = jinja2.ModuleLoader(str(COMPILED))
        return _with_filters(jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, **SETTINGS))
    return source_environment()
