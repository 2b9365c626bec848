"""The library API: the CLI's only way in. Paths or text in; jobs, jobspec text and findings out."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import field

from translator.findings import Finding, Findings
from translator.gcpause import collector_paused
from translator.model import Project
from translator.nomad import Job
from translator.options import Options
from translator.records import record
from translator.report.coverage import kubernetes_roots, paths_given


@record
class Result:
    project: Project
    jobs: list[Job]
    hcl: dict[str, str]  # job name → jobspec text
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage: load, parse, map, emit

    def documents(self, output_format: str = "hcl") -> dict[str, str]:
        """File name → text for every job: ``<job>.nomad.hcl``, or the API's ``<job>.nomad.json``."""
        if output_format == "json":
            from translator.emit.json_api import render_job_json

            if any(job.variables for job in self.jobs):
                raise ValueError("a job with kept variables (--keep-variables) has no API JSON form; use HCL")

            return {f"{job.name}.nomad.json": render_job_json(job) for job in self.jobs}
        return {f"{name}.nomad.hcl": text for name, text in self.hcl.items()}


@collector_paused
def translate(
    files: Sequence[str] = (),
    options: Options | None = None,
    *,
    project_directory: str | None = None,
    project_name: str | None = None,
    env_files: Sequence[str] = (),
    profiles: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    stdin_text: str | None = None,
    stdin_name: str = "<stdin>",
    source: str | None = None,
    keep_variables: bool = False,
    consistency: bool = True,
    finding_paths: bool = True,
) -> Result:
    """Translate Compose files or Kubernetes manifests (``-`` is standard input, or ``stdin_text``)
    into Nomad jobs. ``source`` is ``compose`` or ``kubernetes``; by default it is told from the
    content (see ``translator.detect``). ``keep_variables`` keeps Compose ``${VAR}`` in free-text
    fields as Nomad job variables (``translator/compose/keep.py``); Kubernetes has no interpolation.
    ``finding_paths=False`` leaves a finding made from a model element without its YAML path,
    for callers that show none (the CLI without a report): finding the paths walks the input.

    Raises ``translator.source.InputError`` for input that cannot be read.
    """
    from translator.detect import detect_source

    if source is None:
        source, stdin_text = detect_source(files, stdin_text, stdin_name)
    if source == "kubernetes":
        return _translate_kubernetes(files, options or Options(), stdin_text, stdin_name, finding_paths)
    from translator.compose.loader import LoadOptions, load_project
    from translator.compose.parser import parse_project
    from translator.emit.hcl import render_job
    from translator.mapper import map_project

    options = options or Options()
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    loaded = load_project(
        LoadOptions(
            files=files,
            project_directory=project_directory,
            project_name=project_name,
            env_files=env_files,
            profiles=profiles,
            environ=environ,
            stdin_text=stdin_text,
            stdin_name=stdin_name,
            keep_variables=keep_variables,
            consistency=consistency,
        )
    )
    clock = _lap(timings, "load", clock)
    findings = Findings()
    findings.extend(loaded.findings)
    project = parse_project(loaded, findings)
    clock = _lap(timings, "parse", clock)
    jobs = map_project(project, options, findings)
    clock = _lap(timings, "map", clock)
    hcl = {job.name: render_job(job) for job in jobs}
    _lap(timings, "emit", clock)
    # Findings made from model elements carry a position only; give them the YAML path there.
    document = loaded.document
    found = findings.sorted()
    return Result(
        project=project,
        jobs=jobs,
        hcl=hcl,
        findings=paths_given(found, lambda: [("", document)]) if finding_paths else found,
        timings=timings,
    )


def _translate_kubernetes(
    files: Sequence[str], options: Options, stdin_text: str | None, stdin_name: str, finding_paths: bool
) -> Result:
    from translator.emit.hcl import render_job
    from translator.kubernetes.loader import load_manifests
    from translator.kubernetes.parser import parse_manifests
    from translator.mapper import map_project

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    manifests = load_manifests(files, stdin_text, stdin_name)
    clock = _lap(timings, "load", clock)
    findings = Findings()
    project = parse_manifests(manifests, findings)
    clock = _lap(timings, "parse", clock)
    jobs = map_project(project, options, findings)
    clock = _lap(timings, "map", clock)
    hcl = {job.name: render_job(job) for job in jobs}
    _lap(timings, "emit", clock)
    found = findings.sorted()
    return Result(
        project=project,
        jobs=jobs,
        hcl=hcl,
        findings=paths_given(found, lambda: kubernetes_roots(manifests.objects)) if finding_paths else found,
        timings=timings,
    )


def _lap(timings: dict[str, float], stage: str, since: float) -> float:
    """Record the seconds a stage took (the benchmarks read them); returns the new start."""
    now = time.perf_counter()
    timings[stage] = timings.get(stage, 0.0) + now - since
    return now


def translate_text(
    text: str,
    filename: str = "compose.yaml",
    options: Options | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    project_name: str | None = None,
    project_directory: str | None = None,
    keep_variables: bool = False,
    consistency: bool = True,
) -> Result:
    """Translate Compose text held in memory; ``filename`` is used in positions."""
    return translate(
        ["-"],
        options,
        stdin_text=text,
        stdin_name=filename,
        environ=environ,
        project_name=project_name,
        project_directory=project_directory,
        keep_variables=keep_variables,
        consistency=consistency,
    )
