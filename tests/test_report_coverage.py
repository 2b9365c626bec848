"""No silent drops: every key of every input in fixtures/ and the shared corpus is either read by
the parser (its declared read paths) or named, itself or through a parent, by a finding's path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CORPUS, FIXTURES, compose_corpus_cases, consistent
from translator.api import translate
from translator.compose.loader import IMPLIED, LoadOptions, load_project
from translator.compose.parser import READ_PATHS
from translator.kubernetes import parser as k
from translator.kubernetes.loader import load_manifests
from translator.report.coverage import (
    covers,
    key_paths,
    kubernetes_roots,
    matches,
    paths_at,
    position_index,
    uncovered,
)
from translator.source import Position
from translator.yamlsource import YamlMap

ENVIRON = {"HOME": "/home/user"}
COMPOSE = [file for _, file in compose_corpus_cases()] + sorted(FIXTURES.glob("compose/*/compose.yaml"))
KUBERNETES = sorted(p for p in (CORPUS / "kubernetes").iterdir() if p.is_dir()) + sorted(
    p for p in (FIXTURES / "kubernetes").iterdir() if p.is_dir()
)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("file", COMPOSE, ids=_id)
def test_every_compose_key_is_read_or_reported(file: Path) -> None:
    result = translate([str(file)], environ=ENVIRON, consistency=consistent(file))
    options = LoadOptions(files=[str(file)], environ=ENVIRON, consistency=consistent(file))
    document = load_project(options).document
    paths = {path: pos for path, pos in key_paths(document).items() if not _implied(document, path)}
    missing = uncovered(paths, READ_PATHS, result.findings)
    assert not missing, f"read by nobody and reported by no finding: {missing}"


def _implied(document: YamlMap, path: tuple[str, ...]) -> bool:
    """Keys the loader added (dependencies implied by links and network_mode): nobody wrote them."""
    if len(path) < 4 or path[0] != "services" or path[2] != "depends_on":
        return False
    depends = document["services"][path[1]]["depends_on"]
    return isinstance(depends, YamlMap) and depends.tags.get(path[3]) == IMPLIED


def _kubernetes_read_paths() -> list[str]:
    """The Kubernetes parser's tables of keys it reads, as path patterns; what it reads below them
    (env entries, resources, selectors, ...) it reads whole or reports itself."""
    patterns: list[str] = []
    workload_kinds = sorted(k.WORKLOAD_KINDS)
    for kind in {*workload_kinds, *k.LOOKUP_KINDS}:
        top = k.TOP_LEVEL | k.LOOKUP_TOP_LEVEL.get(kind, frozenset())
        patterns += [f"{kind}/*.{key}" for key in top]
        # labels become job meta and select; annotations are reported (K030) by name
        patterns += [f"{kind}/*.metadata.{key}.**" for key in k.METADATA]
    patterns += ["ConfigMap/*.**", "Secret/*.**"]  # read on lookup; values are never shown
    patterns += [f"Service/*.spec.{key}" for key in k.SERVICE_SPEC] + ["Service/*.spec.selector.**"]
    patterns += [f"Service/*.spec.ports[*].{key}" for key in k.SERVICE_PORT]
    for kind in workload_kinds:
        pod = "spec.template.spec"
        if kind == "Pod":
            pod = "spec"
        elif kind == "CronJob":
            pod = "spec.jobTemplate.spec.template.spec"
            patterns += [f"CronJob/*.spec.jobTemplate.spec.{key}" for key in k.WORKLOAD_SPEC["Job"]]
            patterns += [
                "CronJob/*.spec.jobTemplate.spec.template.metadata.**",
                "CronJob/*.spec.jobTemplate",
                "CronJob/*.spec.jobTemplate.spec",
            ]
        if kind != "Pod":
            patterns += [f"{kind}/*.spec.{key}" for key in k.WORKLOAD_SPEC[kind]]
            patterns += [f"{kind}/*.spec.selector.**", f"{kind}/*.spec.template.metadata.**"]
        patterns += [f"{kind}/*.{pod}"] + [f"{kind}/*.{pod}.{key}" for key in k.POD_SPEC]
        patterns += [f"{kind}/*.{pod}.hostAliases[*].{key}.**" for key in ("ip", "hostnames")]
        patterns += [f"{kind}/*.{pod}.dnsConfig.{key}.**" for key in ("nameservers", "searches", "options")]
        patterns += [f"{kind}/*.{pod}.securityContext.{key}.**" for key in k.POD_SECURITY]
        for containers in ("containers", "initContainers"):
            base = f"{kind}/*.{pod}.{containers}[*]"
            patterns += [f"{base}.{key}.**" for key in k.CONTAINER if key != "ports"]
            patterns += [f"{base}.ports"] + [f"{base}.ports[*].{key}" for key in k.CONTAINER_PORT]
    return patterns


@pytest.mark.parametrize("case", KUBERNETES, ids=_id)
def test_every_kubernetes_key_is_read_or_reported(case: Path) -> None:
    result = translate([str(case)])
    patterns = _kubernetes_read_paths()
    missing: list[str] = []
    for prefix, doc in kubernetes_roots(load_manifests([str(case)]).objects):
        paths = {(prefix, *path): pos for path, pos in key_paths(doc).items()}
        missing += uncovered(paths, patterns, result.findings)
    assert not missing, f"read by nobody and reported by no finding: {missing}"


def test_path_helpers() -> None:
    assert matches("services.*.ports[*].target", ("services", "web", "ports", "[0]", "target"))
    assert not matches("services.*.ports[*].target", ("services", "web", "ports", "target"))
    assert matches("services.*.environment.*", ("services", "web", "environment", "xpack.security.enabled"))
    assert not matches("services.*.deploy", ("services", "web", "deploy", "resources"))
    assert matches("x-*.**", ("x-common", "environment", "A"))
    assert covers("services.web.deploy", "services.web.deploy.resources.limits")
    assert covers("services.web.ports", "services.web.ports[0].target")
    assert not covers("services.web", "services.web2.image")


def test_findings_made_from_model_elements_get_the_path_of_their_position() -> None:
    text = "services:\n  web:\n    image: nginx\n    restart: always\n    ports: ['8080:80']\n"
    result = translate(["-"], stdin_text=text, environ={}, project_name="p")
    paths = {f.code: f.path for f in result.findings}
    assert paths["T001"] == "services.web.restart"
    assert paths["P001"] == "services.web.ports[0]"
    assert all(f.path for f in result.findings), [f for f in result.findings if not f.path]
    assert all(isinstance(f.position, Position) for f in result.findings)


def test_finding_paths_false_leaves_only_the_paths_given_and_changes_nothing_else() -> None:
    text = "services:\n  web:\n    image: nginx\n    restart: always\n    ports: ['8080:80']\n"
    full = translate(["-"], stdin_text=text, environ={}, project_name="p")
    bare = translate(["-"], stdin_text=text, environ={}, project_name="p", finding_paths=False)
    assert [f.line() for f in bare.findings] == [f.line() for f in full.findings]
    assert bare.hcl == full.hcl
    assert not any(f.path for f in bare.findings if f.code in ("T001", "P001"))


@pytest.mark.parametrize("file", COMPOSE[:20], ids=_id)
def test_paths_for_some_positions_match_the_full_index(file: Path) -> None:
    """Findings get their path from a walk limited to the positions they hold: the same paths."""
    options = LoadOptions(files=[str(file)], environ=ENVIRON, consistency=consistent(file))
    document = load_project(options).document
    full = position_index([("", document)])
    every = sorted(full)
    for wanted in (set(every), set(every[::7]), set(every[3::11]), {Position("elsewhere", 1, 1)}):
        assert paths_at([("", document)], wanted) == {p: full[p] for p in wanted if p in full}


@pytest.mark.parametrize("directory", KUBERNETES[:10], ids=_id)
def test_paths_for_some_kubernetes_positions_match_the_full_index(directory: Path) -> None:
    roots = kubernetes_roots(load_manifests([str(directory)]).objects)
    full = position_index(roots)
    every = sorted(full)
    for wanted in (set(every), set(every[::5]), set(every[-3:])):
        assert paths_at(roots, wanted) == {p: full[p] for p in wanted}
