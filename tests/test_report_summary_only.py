"""The stderr summary is built without the per-workload tables; it must say what the full report says."""

from __future__ import annotations

from tests.helpers import FIXTURES, compose_corpus_cases, consistent
from translator.api import translate, translate_text
from translator.findings import Severity
from translator.options import Options
from translator.report.build import build_report


def test_summary_without_details_matches_the_full_report() -> None:
    for name, path in compose_corpus_cases():
        result = translate([str(path)], environ={}, consistency=consistent(path))
        full, light = build_report(result), build_report(result, details=False)
        assert light.summary == full.summary, name
        assert light.findings == full.findings, name
        assert [(w.name, w.status, w.counts) for w in light.workloads] == [
            (w.name, w.status, w.counts) for w in full.workloads
        ], name


def test_summary_from_the_result_is_the_report_summary() -> None:
    """The CLI prints ``result_summary`` when no report is asked for: the same text as the report's."""
    from translator.report.terminal import result_summary, summary

    cases = [(name, path, False) for name, path in compose_corpus_cases()]
    cases += [(p.parent.name, p, False) for p in sorted((FIXTURES / "compose").glob("*/compose.yaml"))]
    cases += [(p.parent.name, p, True) for p in sorted((FIXTURES / "keep-variables").glob("*/compose.yaml"))]
    for name, path, keep in cases:
        environ = {"DB_PASSWORD": "hunter22", "HOME": "/home/user"}
        result = translate([str(path)], environ=environ, keep_variables=keep, consistency=consistent(path))
        codes = sorted({f.code for f in result.findings})
        for ignored in (set(), set(codes[:1]), set(codes[1::2])):
            report = build_report(result, ignored, details=False)
            for colour in (False, True):
                expected = summary(report, "out/", colour)
                assert result_summary(result, ignored, "out/", colour) == expected, name


def test_summary_from_the_result_counts_unwired_dependencies_as_the_report_does() -> None:
    """With nothing served by name and every warning ignored, only the wiring keeps a workload from
    being ready: both summaries must see it."""
    from translator.report.terminal import result_summary, summary

    seen = 0
    for path in sorted((FIXTURES / "compose").glob("*/compose.yaml")):
        result = translate([str(path)], Options(serve_names="off"), environ={"HOME": "/home/user"})
        warnings = {f.code for f in result.findings if f.severity == Severity.WARNING}
        report = build_report(result, warnings, details=False)
        seen += sum(1 for w in report.workloads if w.unwired)
        assert result_summary(result, warnings, "out/") == summary(report, "out/"), path.parent.name
    assert seen  # the fixtures have dependencies nothing wires


def test_summary_from_the_result_scrubs_as_the_report_does() -> None:
    """Secret values that happen to appear in the job name, the file, messages, or the word "error"."""
    from translator.report.terminal import result_summary, summary

    for secret in ("rror", "shop-api", "compose", "ild it", "B001", "none-of-these"):
        text = (
            "name: shop\nservices:\n  api:\n    build: ./api\n    ports: ['3000:3000']\n"
            f"    environment:\n      API_TOKEN: {secret}\n  db:\n    image: postgres\n"
        )
        result = translate_text(text, "compose.yaml")
        for ignored in (set(), {"P001"}, {"B001"}):
            expected = summary(build_report(result, ignored, details=False), "stdout")
            assert result_summary(result, ignored, "stdout") == expected, secret
