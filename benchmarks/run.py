"""Run the benchmarks and print (and optionally write) a table of the results.

For each N: the end-to-end CLI wall time (median of several runs), the library's time
per stage, peak memory of the CLI, and, on the same file, two references: ``docker compose
config --format json`` and the floor of only parsing the YAML with PyYAML's C loader (in a
fresh interpreter, as the CLI runs). The CLI and its references run in turns, so that a busy
moment of the machine slows them alike and their ratios hold. Then start-up: ``translate
--version`` and a small project end to end against ``python -c "import yaml, jinja2"`` (the
small project is the shared corpus's voting-app when it is there), and which heavy modules
``--version`` and ``--help`` import. Last, the targets with this run's figures and verdicts.

    python -m benchmarks.run 10 100 1000 10000 --write benchmarks/RESULTS.md

``--write`` replaces the results file but keeps its hand-written part, from a ``## Notes``
heading on.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generate import write_inputs

ROOT = Path(__file__).resolve().parent.parent
GNU_TIME = "/usr/bin/time"


@dataclass
class Row:
    kind: str
    n: int
    cli: float | None = None
    compose_config: float | None = None
    yaml_floor: float | None = None
    peak_mb: float | None = None
    stages: dict[str, float] = field(default_factory=dict)


def _environment() -> dict[str, str]:
    """Run the installed package when there is one (as users do), else the source tree."""
    env = dict(os.environ)
    probe = [sys.executable, "-c", "import translator"]
    if subprocess.run(probe, cwd=tempfile.gettempdir(), capture_output=True, check=False).returncode != 0:
        env["PYTHONPATH"] = str(ROOT)
    return env


def _timed_run(command: list[str], env: dict[str, str]) -> tuple[float, bool]:
    """Wall time of one run of ``command`` from the temporary directory, and whether it succeeded."""
    start = time.perf_counter()
    done = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
        env=env,
        check=False,
    )
    return time.perf_counter() - start, done.returncode == 0


def _peak_mb(command: list[str]) -> float | None:
    if not os.path.exists(GNU_TIME):
        return None
    done = subprocess.run(
        [GNU_TIME, "-f", "%M", *command],
        cwd=tempfile.gettempdir(),
        env=_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        return int(done.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return None


def _interleaved_medians(commands: dict[str, list[str]], runs: int) -> dict[str, float | None]:
    """Median wall time of each command, run in turns so that a busy moment hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    failed: set[str] = set()
    env = _environment()
    for _ in range(runs):
        for name, command in commands.items():
            seconds, succeeded = _timed_run(command, env)
            times[name].append(seconds)
            if not succeeded:
                failed.add(name)
    return {name: None if name in failed else statistics.median(t) for name, t in times.items()}


def small_project() -> Path:
    """The voting-app of the shared corpus beside the repository, else the bundled example."""
    shared = ROOT.parent / "shared" / "corpus" / "compose" / "voting-app" / "docker-compose.yml"
    return shared if shared.exists() else ROOT / "examples" / "shop" / "compose.yaml"


# Modules a run that only prints the version or the help has no use for.
HEAVY_MODULES = ("yaml", "jinja2", "rich", "translator.api", "translator.compose", "translator.kubernetes")


@dataclass
class Startup:
    runs: int
    small: Path
    medians: dict[str, float | None]
    heavy: dict[str, list[str]]  # per argument (--version, --help): heavy modules it imported


def heavy_imports(argument: str) -> list[str]:
    """The HEAVY_MODULES (and their submodules) that ``translate ARGUMENT`` imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "translator", argument],
        cwd=tempfile.gettempdir(),
        env=_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    imported = [
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    ]
    if done.returncode != 0 or "translator.cli" not in imported:
        raise RuntimeError(f"translate {argument} did not run: {done.stderr.strip()[-300:]}")
    return sorted(
        name for name in imported if any(name == h or name.startswith(h + ".") for h in HEAVY_MODULES)
    )


def startup(runs: int, small: Path) -> Startup:
    medians = _interleaved_medians(
        {
            "base": [sys.executable, "-c", "import yaml, jinja2"],
            "base_typer": [sys.executable, "-c", "import yaml, jinja2, typer"],
            "version": [sys.executable, "-m", "translator", "--version"],
            "small": [sys.executable, "-m", "translator", str(small)],
        },
        runs,
    )
    return Startup(runs, small, medians, {arg: heavy_imports(arg) for arg in ("--version", "--help")})


def startup_text(figures: Startup) -> str:
    base, medians = figures.medians["base"], figures.medians
    return (
        f'start-up (median of {figures.runs}, interleaved): `python -c "import yaml, jinja2"` {_fmt(base)}; '
        f'`python -c "import yaml, jinja2, typer"` {_fmt(medians["base_typer"])} '
        f"({_ratio(medians['base_typer'], base)}); "
        f"`translate --version` {_fmt(medians['version'])} ({_ratio(medians['version'], base)}); "
        f"{figures.small.parent.name} end to end {_fmt(medians['small'])} ({_ratio(medians['small'], base)})."
    )


def _docker_compose() -> str | None:
    beside = Path(sys.executable).parent / "docker-compose"
    return str(beside) if beside.exists() else shutil.which("docker-compose")


def _stages(path: Path, kind: str, runs: int) -> dict[str, float]:
    from translator import api

    samples: list[dict[str, float]] = []
    for _ in range(runs):
        start = time.perf_counter()
        if kind == "compose":
            result = api.translate([str(path)], environ={})
        else:
            result = api.translate([str(path)], environ={}, **_kubernetes_option())  # type: ignore[arg-type]
        timings = dict(result.timings)
        timings["total"] = time.perf_counter() - start
        samples.append(timings)
    return {stage: statistics.median(s[stage] for s in samples) for stage in samples[0]}


def _kubernetes_option() -> dict[str, str]:
    import inspect

    from translator import api

    parameters = inspect.signature(api.translate).parameters
    return {"source_format": "kubernetes"} if "source_format" in parameters else {}


def measure(kind: str, path: Path, n: int, runs: int, reference_limit: int = 1000) -> Row:
    """The CLI and its references on one file, run in turns so that their ratios share the moments."""
    row = Row(kind, n)
    cli = [sys.executable, "-m", "translator", str(path)]
    if kind == "kubernetes":
        cli[3:3] = ["--from", "kubernetes"]
    floor = f"import yaml; list(yaml.load_all(open({str(path)!r}, 'rb'), Loader=yaml.CSafeLoader))"
    commands = {"cli": cli, "floor": [sys.executable, "-c", floor]}
    compose = _docker_compose()
    # docker compose config slows down far faster than linearly (minutes at 10,000 services).
    if kind == "compose" and compose and n <= reference_limit:
        commands["compose"] = [compose, "-f", str(path), "config", "--format", "json"]
    medians = _interleaved_medians(commands, runs)
    row.cli, row.yaml_floor, row.compose_config = medians["cli"], medians["floor"], medians.get("compose")
    row.peak_mb = _peak_mb(cli)
    if row.cli is not None:
        try:
            row.stages = _stages(path, kind, max(1, runs // 2))
        except Exception as err:  # a stage failure is reported in the table, not fatal to the run
            row.stages = {"error": float("nan")}
            print(f"library run failed for {kind} N={n}: {err}", file=sys.stderr)
    return row


def _fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def table(rows: list[Row]) -> str:
    lines = [
        "| input | N | CLI (median) | docker compose config | YAML C-loader floor | CLI / compose | "
        "CLI / floor | peak memory | load | parse | map | emit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        stages = [_fmt(r.stages.get(s)) for s in ("load", "parse", "map", "emit")]
        lines.append(
            f"| {r.kind} | {r.n:,} | {_fmt(r.cli)} | {_fmt(r.compose_config)} | {_fmt(r.yaml_floor)} | "
            f"{_ratio(r.cli, r.compose_config)} | {_ratio(r.cli, r.yaml_floor)} | {_fmt(r.peak_mb, 'MB')} | "
            + " | ".join(stages)
            + " |"
        )
    scaling = {(r.kind, r.n): r.cli for r in rows}
    for kind in ("compose", "kubernetes"):
        big, small = scaling.get((kind, 10_000)), scaling.get((kind, 1_000))
        if big and small:
            lines.append(f"\n{kind}: 10,000 services take {big / small:.1f}× the 1,000-service time.")
    return "\n".join(lines)


def _verdict(figure: float | None, limit: float) -> str:
    return "not measured" if figure is None else ("yes" if figure <= limit else "no")


def _share(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def targets(rows: list[Row], start: Startup | None) -> str:
    """The issue's targets against this run's figures, each with its verdict."""
    by = {(r.kind, r.n): r for r in rows}
    lines = ["| target | figure | met |", "|---|---|---|"]
    thousand = by.get(("compose", 1000))
    if thousand:
        ratio = _share(thousand.cli, thousand.compose_config)
        lines.append(
            f"| 1,000-service Compose CLI ≤ 0.5× `docker compose config` | {_fmt(thousand.cli)} / "
            f"{_fmt(thousand.compose_config)} = {_ratio(thousand.cli, thousand.compose_config)} | "
            f"{_verdict(ratio, 0.5)} |"
        )
        ratio = _share(thousand.cli, thousand.yaml_floor)
        lines.append(
            f"| 1,000-service Compose CLI ≤ 4× the C-loader floor | {_fmt(thousand.cli)} / "
            f"{_fmt(thousand.yaml_floor)} = {_ratio(thousand.cli, thousand.yaml_floor)} | "
            f"{_verdict(ratio, 4)} |"
        )
    for kind in ("compose", "kubernetes"):
        big, small = by.get((kind, 10_000)), by.get((kind, 1_000))
        if big and small:
            ratio = _share(big.cli, small.cli)
            lines.append(
                f"| {kind}: 10,000 services ≤ 12× the 1,000-service time | {_ratio(big.cli, small.cli)} | "
                f"{_verdict(ratio, 12)} |"
            )
        if big:
            lines.append(
                f"| {kind}: peak memory at 10,000 services < 600 MB | {_fmt(big.peak_mb, 'MB')} | "
                f"{_verdict(big.peak_mb, 599.999)} |"
            )
    if start:
        for argument, heavy in start.heavy.items():
            shown = ", ".join(heavy) if heavy else "none of " + ", ".join(HEAVY_MODULES)
            lines.append(
                f"| `translate {argument}` imports nothing heavy (`python -X importtime`) | {shown} | "
                f"{'no' if heavy else 'yes'} |"
            )
        base, small = start.medians["base"], start.medians["small"]
        lines.append(
            f'| {start.small.parent.name} end to end ≤ 1.5× `python -c "import yaml, jinja2"` | '
            f"{_fmt(small)} / {_fmt(base)} = {_ratio(small, base)} | {_verdict(_share(small, base), 1.5)} |"
        )
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()}, Python {platform.python_version()}"


NOTES_HEADING = "## Notes"


def _notes(path: Path) -> str:
    """The hand-written part of an existing results file (from NOTES_HEADING on), kept as it is."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    at = text.find("\n" + NOTES_HEADING + "\n")
    return "" if at < 0 else text[at:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, nargs="*", default=[10, 100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--kinds", default="compose,kubernetes")
    parser.add_argument("--write", type=Path, help="also write the table to this Markdown file")
    parser.add_argument(
        "--reference-limit", type=int, default=1000, help="largest N to run docker compose config on"
    )
    parser.add_argument("--startup-runs", type=int, help="runs of each start-up command (default 4 × --runs)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            compose, kubernetes = write_inputs(Path(tmp), n)
            runs = args.runs if n < 10_000 else max(1, args.runs // 2)
            for kind, path in (("compose", compose), ("kubernetes", kubernetes)):
                if kind in args.kinds.split(","):
                    rows.append(measure(kind, path, n, runs, args.reference_limit))
                    print(table(rows[-1:]).splitlines()[-1], file=sys.stderr)
    text = table(rows)
    start = startup(args.startup_runs or 4 * args.runs, small_project())
    text += "\n\n" + startup_text(start) + "\n\n## Against the targets (this run)\n\n" + targets(rows, start)
    print(text)
    if args.write:
        command = "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv)
        args.write.write_text(
            f"# Benchmark results\n\nMachine: {machine()}.\n\nCommand: `{command}`\n\n{text}\n"
            + _notes(args.write),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
