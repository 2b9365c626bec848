"""The stderr summary is built without the per-workload tables; it must say what the full report says."""

from __future__ import annotations

from tests.helpers import compose_corpus_cases, consistent
from translator.api import translate
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
