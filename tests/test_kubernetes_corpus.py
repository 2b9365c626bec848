"""Every Kubernetes case of the shared corpus: translates (exit 0), every jobspec parses, nothing in
the input is dropped without a finding, and the jobspecs and findings match their snapshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers import CORPUS, corpus_dir, parse_hcl
from translator.api import translate
from translator.cli import EXIT_OK, app
from translator.kubernetes import parser as k
from translator.kubernetes.loader import load_manifests
from translator.source import Position
from translator.yamlsource import YamlMap

CASES = sorted(p for p in corpus_dir("kubernetes").iterdir() if p.is_dir())
IDS = [c.name for c in CASES]


def _relative(text: str) -> str:
    return text.replace(str(CORPUS) + "/", "").replace(os.path.relpath(CORPUS) + "/", "")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_corpus_case_translates(case: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [str(case), "-o", str(tmp_path)])
    assert result.exit_code == EXIT_OK, result.stderr
    written = sorted(tmp_path.glob("*.nomad.hcl"))
    for path in written:
        parsed = parse_hcl(path.read_text(encoding="utf-8"))
        assert len(parsed["job"]) == 1
    jobs = translate([str(case)]).jobs
    assert len(written) == len(jobs)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_corpus_snapshot(case: Path, snapshot: object) -> None:
    result = translate([str(case)])
    text = _relative("\n".join(result.hcl.values()))
    findings = [_relative(f.line()) for f in result.findings]
    assert text == snapshot(name="jobspecs")  # type: ignore[operator]
    assert findings == snapshot(name="findings")  # type: ignore[operator]


def _keys_to_check(doc: YamlMap) -> list[tuple[YamlMap, frozenset[str]]]:
    """(mapping, keys the parser reads there) for every level the parser walks."""
    kind = doc["kind"]
    levels: list[tuple[YamlMap, frozenset[str]]] = [
        (doc, k.TOP_LEVEL | k.LOOKUP_TOP_LEVEL.get(kind, frozenset()))
    ]
    levels.append((doc["metadata"], k.METADATA))
    spec = doc.get("spec")
    if kind == "Service" and isinstance(spec, YamlMap):
        levels.append((spec, k.SERVICE_SPEC))
        for port in spec.get("ports") or []:
            levels.append((port, k.SERVICE_PORT))
    if kind in k.WORKLOAD_KINDS and isinstance(spec, YamlMap):
        pod = spec if kind == "Pod" else spec["template"]["spec"]
        if kind != "Pod":
            levels.append((spec, k.WORKLOAD_SPEC[kind]))
        levels.append((pod, k.POD_SPEC))
        for container in [*(pod.get("initContainers") or []), *pod["containers"]]:
            levels.append((container, k.CONTAINER))
            for port in container.get("ports") or []:
                levels.append((port, k.CONTAINER_PORT))
    return levels


def _positions(findings: list[Any]) -> set[Position]:
    return {f.position for f in findings}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_key_and_kind_is_consumed_or_reported(case: Path) -> None:
    result = translate([str(case)])
    reported = _positions(result.findings)
    for doc in load_manifests([str(case)]).objects:
        kind = doc["kind"]
        if kind not in k.WORKLOAD_KINDS and kind not in k.LOOKUP_KINDS:
            assert doc.where_key("kind") in reported, f"{kind} at {doc.pos} has no finding"
            continue
        for mapping, consumed in _keys_to_check(doc):
            for key in mapping:
                if key in consumed or key in ("annotations",):
                    continue
                assert mapping.where_key(key) in reported, f"{key} at {mapping.where_key(key)} has no finding"
        # every probe becomes a check (a C finding) or is reported (K019)
        pod = doc["spec"] if kind == "Pod" else (doc.get("spec") or {}).get("template", {}).get("spec")
        for container in (pod or {}).get("containers") or []:
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                if probe in container:
                    assert container.where_key(probe) in reported


def test_boutique_one_job_per_deployment_and_service_ports() -> None:
    case = CORPUS / "kubernetes" / "boutique-kubernetes-manifests"
    result = translate([str(case)])
    deployments = [d for d in load_manifests([str(case)]).objects if d["kind"] == "Deployment"]
    assert sorted(job.name for job in result.jobs) == sorted(d["metadata"]["name"] for d in deployments)
    endpoints = {e.name: e for w in result.project.workloads for e in w.endpoints}
    # every *_SERVICE_ADDR names a Service whose port the discovery stage can map to its target
    addresses: dict[str, str] = {}
    for workload in result.project.workloads:
        for container in workload.containers:
            for var in container.environment:
                if var.name.endswith("_SERVICE_ADDR"):
                    addresses[var.name] = var.value
    assert addresses["PRODUCT_CATALOG_SERVICE_ADDR"] == "productcatalogservice:3550"
    for value in addresses.values():
        host, _, port = value.partition(":")
        if host == "shoppingassistantservice":
            continue  # not part of this release's manifests
        endpoint = endpoints[host]
        assert int(port) in [p.port for p in endpoint.ports], value
        assert endpoint.hostnames[-1] == f"{host}.default.svc.cluster.local"
    frontend = endpoints["frontend"]
    assert [(p.port, p.target) for p in frontend.ports] == [(80, 8080)]
    assert any(f.code == "K014" and "frontend-external" in f.message for f in result.findings)
