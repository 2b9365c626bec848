"""HCL jobspecs from the Nomad model, through the Jinja templates in ``templates/``."""

from __future__ import annotations

from translator.emit import templating
from translator.emit.format import format_hcl
from translator.nomad import Job


def render_job(job: Job) -> str:
    text = templating.environment().get_template("job.nomad.hcl.j2").render(job=job)
    return format_hcl(text)
