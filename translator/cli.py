"""The ``translate`` command: a thin layer over ``translator.api``."""

# No ``from __future__ import annotations`` here: typer reads the option annotations at every
# start, and string annotations cost it an eval() each (about 5 ms of every run).
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from translator import __version__

if TYPE_CHECKING:
    from translator.api import Result

EXIT_OK = 0
EXIT_INPUT = 1  # the input cannot be read or is not a valid Compose file
EXIT_USAGE = 2  # wrong command-line usage (also what click uses)
EXIT_STRICT = 3  # --strict: warnings or errors remain after --ignore
EXIT_DRIFT = 4  # --check: the output directory differs from what the sources produce

# The last run's result, kept so that the console command's process does not free it object by
# object before it ends (see _exit_process); a new run replaces it.
_last_result: list["Result"] = []

HELP = """Translate docker-compose projects and Kubernetes manifests into HashiCorp Nomad jobspecs.

\b
Examples:
  translate compose.yaml                     HCL for the project on stdout
  translate -f compose.yaml -f prod.yaml     merge files as docker compose does
  translate compose.yaml -o jobs/            write jobs/<job>.nomad.hcl
  cat compose.yaml | translate -             read standard input
  translate --static-ports --provider consul compose.yaml
  translate --format json compose.yaml       Nomad HTTP API JSON ({"Job": ...})
  translate --check -o jobs/ compose.yaml    exit 4 with a diff if jobs/ is stale
  translate --report migration.md compose.yaml   the migration report (also .json)
  translate --strict --ignore P001 compose.yaml  exit 3 if warnings or errors remain
  translate k8s/ -o jobs/                    Kubernetes manifests: one job per workload
  helm template my-chart | translate -       rendered Helm charts from standard input

Findings (what changed, what was approximated, what needs a person) are printed
to stderr, one per line, then a summary. Exit codes: 0 translated, 1 input error,
2 usage error, 3 warnings or errors remain under --strict, 4 drift found by --check.
"""

app = typer.Typer(add_completion=True, rich_markup_mode=None, pretty_exceptions_enable=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"translate {__version__}")
        raise typer.Exit(EXIT_OK)


@app.command(help=HELP, no_args_is_help=False)
def run(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Compose files or Kubernetes manifests (files, directories); - reads standard input."
        ),
    ] = None,
    file: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("-f", "--file", help="A Compose file (repeatable; merged in order)."),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("-o", "--output", help="Write one <job>.nomad.hcl per job into this directory."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files in -o DIR that translate did not write.")
    ] = False,
    static_ports: Annotated[
        bool, typer.Option("--static-ports", help="Keep published host ports as static ports.")
    ] = False,
    provider: Annotated[
        str, typer.Option("--provider", help="Service registration provider: nomad or consul.")
    ] = "nomad",
    discovery: Annotated[
        str,
        typer.Option(
            "--discovery",
            help="How references to other services are rewritten: nomad (nomadService templates), "
            "consul (Consul service templates) or connect (Consul Connect upstreams).",
        ),
    ] = "nomad",
    serve_names: Annotated[
        str,
        typer.Option(
            "--serve-names",
            help="Which names resolve inside the allocations, through extra_hosts and a forwarder: auto "
            "(names the tool cannot rewrite: dependencies, names in carried files), all (every reference; "
            "nothing is rewritten) or off.",
        ),
    ] = "auto",
    no_wait_tasks: Annotated[
        bool,
        typer.Option(
            "--no-wait-tasks",
            help="Do not add prestart tasks that wait for a depends_on service in another group.",
        ),
    ] = False,
    project_name: Annotated[
        Optional[str], typer.Option("-p", "--project-name", help="Project name (the job name).")  # noqa: UP045
    ] = None,
    project_directory: Annotated[
        Optional[str], typer.Option("--project-directory", help="Directory relative paths are resolved from.")  # noqa: UP045
    ] = None,
    env_file: Annotated[
        Optional[list[str]], typer.Option("--env-file", help="Variables for interpolation (repeatable).")  # noqa: UP045
    ] = None,
    profile: Annotated[
        Optional[list[str]], typer.Option("--profile", help="Enable a Compose profile (repeatable).")  # noqa: UP045
    ] = None,
    keep_variables: Annotated[
        bool,
        typer.Option(
            "--keep-variables",
            help="Keep Compose ${VAR} in images, commands and environment values as Nomad job variables "
            "(var.VAR), set with nomad job run -var. HCL output only.",
        ),
    ] = False,
    no_consistency: Annotated[
        bool,
        typer.Option(
            "--no-consistency",
            help="Load a Compose project that docker compose refuses as inconsistent (undefined networks, "
            "volumes, secrets or dependencies, no image; unknown keys are reported instead).",
        ),
    ] = False,
    output_format: Annotated[
        str, typer.Option("--format", help="hcl (jobspec) or json (Nomad HTTP API job).")
    ] = "hcl",
    source: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--from", help="Input kind: compose or kubernetes (default: told from the content)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Compare with -o DIR instead of writing; exit 4 on drift.")
    ] = False,
    report: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--report", help="Write the migration report: FILE.md (Markdown) or FILE.json (repeatable)."
        ),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--ignore", help="Leave out findings with this code, e.g. P001 (repeatable)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 3 when any warning or error remains (after --ignore).")
    ] = False,
    version: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    from translator.api import translate
    from translator.options import DISCOVERY_MODES, NAME_MODES, PROVIDERS, Options
    from translator.output import RefusedError, write_documents
    from translator.source import InputError

    if output_format not in ("hcl", "json"):
        raise typer.BadParameter("expected hcl or json", param_hint="--format")
    if keep_variables and output_format == "json":
        raise typer.BadParameter(
            "--keep-variables needs --format hcl: a job in the API's JSON has no variables",
            param_hint="--format",
        )
    if source is not None and source not in ("compose", "kubernetes"):
        raise typer.BadParameter("expected compose or kubernetes", param_hint="--from")
    if provider not in PROVIDERS:
        raise typer.BadParameter(f"expected one of {', '.join(PROVIDERS)}", param_hint="--provider")
    if discovery not in DISCOVERY_MODES:
        raise typer.BadParameter(f"expected one of {', '.join(DISCOVERY_MODES)}", param_hint="--discovery")
    if serve_names not in NAME_MODES:
        raise typer.BadParameter(f"expected one of {', '.join(NAME_MODES)}", param_hint="--serve-names")
    _check_report_options(report or [], ignore or [])
    paths = [*(file or []), *(files or [])]
    options = Options(
        static_ports=static_ports,
        provider=provider,
        discovery=discovery,
        wait_tasks=not no_wait_tasks,
        serve_names=serve_names,
    )
    try:
        result = translate(
            paths,
            options,
            project_directory=project_directory,
            project_name=project_name,
            env_files=env_file or [],
            profiles=profile or [],
            source=source,
            keep_variables=keep_variables,
            consistency=not no_consistency,
            finding_paths=bool(report),  # only the report shows them
        )
    except InputError as err:
        typer.echo(f"translate: error: {err}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    ignored = set(ignore or [])
    _echo_findings(result, ignored)
    documents = result.documents(output_format)
    if check:
        _check(output, documents)
        destination = f"{output} (checked, up to date)"
    elif output is None:
        sys.stdout.write("\n".join(documents.values()))
        sys.stdout.flush()
        destination = "stdout"
    else:
        try:
            write_documents(output, documents, force)
        except RefusedError as err:
            typer.echo(f"translate: error: {err}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        destination = str(output)
    _last_result[:] = [result]
    _finish(result, report or [], ignored, strict, destination)


def _echo_findings(result: "Result", ignored: set[str]) -> None:
    """One finding a line on stderr, echoed a thousand lines at a time: an echo costs microseconds,
    large projects make tens of thousands of findings, and one echo for all would hold them twice."""
    batch: list[str] = []
    for finding in result.findings:
        if finding.code not in ignored:
            batch.append(finding.line())
            if len(batch) == 1000:
                typer.echo("\n".join(batch), err=True)
                batch.clear()
    if batch:
        typer.echo("\n".join(batch), err=True)


def _check_report_options(reports: list[str], ignore: list[str]) -> None:
    """Usage errors before any work: a report name that is neither .md nor .json, an unknown code."""
    from translator.findings import CODES

    for path in reports:
        from translator.report.render import report_format  # only with reports: it loads the report model

        try:
            report_format(path)
        except ValueError as err:
            raise typer.BadParameter(str(err), param_hint="--report") from None
    unknown = sorted(code for code in ignore if code not in CODES)
    if unknown:
        raise typer.BadParameter(f"unknown finding code {', '.join(unknown)}", param_hint="--ignore")


def _finish(result: "Result", reports: list[str], ignored: set[str], strict: bool, destination: str) -> None:
    """Reports, the stderr summary, and the --strict verdict."""
    from translator.findings import Severity
    from translator.report.terminal import result_summary, summary, use_colour

    if reports:
        from translator.report.build import build_report
        from translator.report.render import render, report_format

        built = build_report(result, ignored)
        for path in reports:
            try:
                Path(path).write_text(render(built, report_format(path)), encoding="utf-8")
            except OSError as err:
                typer.echo(f"translate: error: {path}: cannot write the report: {err.strerror}", err=True)
                raise typer.Exit(EXIT_INPUT) from None
        text = summary(built, destination, use_colour(sys.stderr))
    else:
        # The summary alone needs no report model (see result_summary).
        text = result_summary(result, ignored, destination, use_colour(sys.stderr))
    sys.stderr.write(text)
    sys.stderr.flush()
    if strict and any(f.severity >= Severity.WARNING for f in result.findings if f.code not in ignored):
        raise typer.Exit(EXIT_STRICT)


def _check(output: Path | None, documents: dict[str, str]) -> None:
    """``--check``: exit 4 with a unified diff when ``-o DIR`` differs from what the sources give now."""
    from translator.output import RefusedError, drift

    if output is None:
        raise typer.BadParameter("--check needs -o DIR, the directory to compare", param_hint="--check")
    try:
        diff = drift(output, documents)
    except RefusedError as err:
        typer.echo(f"translate: error: {err}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    if diff:
        sys.stdout.write(diff)
        typer.echo(f"translate: {output} is out of date; run without --check to update it", err=True)
        raise typer.Exit(EXIT_DRIFT)


def main() -> None:
    # A short-lived process: the cyclic collector would only re-traverse the trees a run builds
    # (see translator/gcpause.py); memory is given back when the process ends.
    import gc

    gc.disable()
    try:
        app(prog_name="translate")
    except SystemExit as done:
        _exit_process(done)


def _exit_process(done: SystemExit) -> NoReturn:
    """End the console command once its output is flushed, without the interpreter's teardown:
    freeing a large run's objects and then every module one by one takes a twentieth of the
    run, and the operating system reclaims the memory at once. Anything else to do or report
    (an atexit handler, an exit message, a stream that cannot be flushed) takes the ordinary
    way out, so it is done as before."""
    import atexit

    code = 0 if done.code is None else done.code
    if not isinstance(code, int) or atexit._ncallbacks():
        raise done
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise done from None
    os._exit(code)
