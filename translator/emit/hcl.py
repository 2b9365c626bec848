"""HCL jobspecs from the Nomad model, through the Jinja templates in ``templates/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from translator.emit.escape import hcl_config_string, hcl_string
from translator.emit.format import format_hcl
from translator.nomad import Job


def templates_dir() -> Path:
    """The installed copy inside the package, else the repository's top-level ``templates/``."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("translator templates not found")  # pragma: no cover - broken install


def _comment(text: str) -> str:
    """Comments are one line; input text cannot end them early."""
    return " ".join(str(text).split())


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    env.filters["hcl"] = lambda value: hcl_string(str(value))
    env.filters["hcl_config"] = lambda value: hcl_config_string(str(value))
    env.filters["hcl_list"] = lambda values: "[" + ", ".join(hcl_string(str(v)) for v in values) + "]"
    env.filters["hcl_config_list"] = lambda values: (
        "[" + ", ".join(hcl_config_string(str(v)) for v in values) + "]"
    )
    env.filters["hcl_bool"] = lambda value: "true" if value else "false"
    env.filters["comment"] = _comment
    return env


def render_job(job: Job) -> str:
    text = environment().get_template("job.nomad.hcl.j2").render(job=job)
    return format_hcl(text)
