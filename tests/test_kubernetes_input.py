"""Kubernetes input: loading (stdin, directories, List, JSON, helm template), detection, CLI output,
$(VAR) expansion, quantities, secrets, and one-line errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import FIXTURES, parse_hcl
from translator.api import translate
from translator.cli import EXIT_INPUT, EXIT_OK, app
from translator.detect import kind_of
from translator.kubernetes.expansion import expand
from translator.kubernetes.quantity import byte_count, millicores, parse_quantity
from translator.source import InputError

runner = CliRunner()

HELM = """---
# Source: chart/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: http
---
# Source: chart/templates/empty.yaml
---
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - name: http
              containerPort: 8080
"""


def test_helm_template_output_from_stdin() -> None:
    result = runner.invoke(app, ["-"], input=HELM)
    assert result.exit_code == EXIT_OK, result.stderr
    parsed = parse_hcl(result.stdout)
    assert list(parsed["job"][0]) == ["web"]
    assert 'port     = "http"' in result.stdout


def test_list_and_json_and_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text(
        '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod",'
        ' "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}]}'
    )
    (tmp_path / "b.yml").write_text(HELM)
    (tmp_path / "notes.txt").write_text("not read")
    result = translate([str(tmp_path)])
    assert sorted(job.name for job in result.jobs) == ["p", "web"]


def test_several_jobs_on_stdout_and_in_a_directory(tmp_path: Path) -> None:
    case = str(FIXTURES / "kubernetes" / "workload-kinds")
    out = runner.invoke(app, [case])
    assert out.exit_code == EXIT_OK
    documents = out.stdout.split("\n\n# Translated from ")
    assert len(documents) == 9
    written = runner.invoke(app, [case, "-o", str(tmp_path)])
    assert written.exit_code == EXIT_OK
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        f"{n}.nomad.hcl"
        for n in ("web", "db", "cache", "legacy", "node-agent", "migrate", "report", "one-shot", "long-lived")
    )


def test_from_option_overrides_detection() -> None:
    result = runner.invoke(app, ["--from", "compose", "-"], input=HELM)
    assert result.exit_code == EXIT_INPUT  # a Kubernetes document is no Compose file
    bad = runner.invoke(app, ["--from", "helm", "-"], input=HELM)
    assert bad.exit_code == 2


def test_detection_by_content() -> None:
    assert kind_of(HELM, "x") == "kubernetes"
    assert kind_of("services:\n  a:\n    image: x\n", "x") == "compose"
    assert kind_of("- a\n", "x") == "compose"  # the Compose loader says what is wrong with it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apiVersion: v1\nkind: Pod\nmetadata: {}\n", "<stdin>:3:11: Pod has no metadata.name"),
        (
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n- 1\n",
            "<stdin>:5:1: expected a Kubernetes",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n",
            "<stdin>:4:20: Pod/p has no containers",
        ),
    ],
)
def test_bad_input_is_one_line(text: str, expected: str) -> None:
    result = runner.invoke(app, ["-"], input=text)
    assert result.exit_code == EXIT_INPUT
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"translate: error: {expected}"), lines[0]


def test_secret_values_never_reach_the_output() -> None:
    case = FIXTURES / "kubernetes" / "value-from"
    result = translate([str(case)])
    assert "s3cr3t" not in "".join(result.hcl.values())
    assert "s3cr3t" not in "".join(result.documents("json").values())
    assert "admin" not in "".join(result.hcl.values())
    assert any("nomad/jobs/app" in f.message and f.code == "K010" for f in result.findings)


def test_json_api_output_carries_kubernetes_settings() -> None:
    import json

    result = translate([str(FIXTURES / "kubernetes" / "workload-kinds")])
    report = json.loads(result.documents("json")["report.nomad.json"])["Job"]
    assert report["Type"] == "batch"
    assert report["Periodic"]["Specs"] == ["0 3 * * *"]
    assert report["Periodic"]["ProhibitOverlap"] is True
    assert report["Periodic"]["TimeZone"] == "Europe/Berlin"
    shop = translate([str(FIXTURES / "kubernetes" / "multi-container")])
    tasks = json.loads(shop.documents("json")["shop.nomad.json"])["Job"]["TaskGroups"][0]["Tasks"]
    assert tasks[1]["Lifecycle"] == {"Hook": "prestart", "Sidecar": True}


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("$(A)", {"A": "x"}, "x"),
        ("$$(A)", {"A": "x"}, "$(A)"),
        ("$(B)", {"A": "x"}, "$(B)"),
        ("a$b$", {}, "a$b$"),
        ("$(A", {"A": "x"}, "$(A"),
        ("$$$(A)", {"A": "x"}, "$x"),
        ("$(A)$(A)", {"A": "$(A)"}, "$(A)$(A)"),  # one pass: values are not expanded again
    ],
)
def test_expansion_as_the_kubelet_does_it(text: str, env: dict[str, str], expected: str) -> None:
    assert expand(text, env.get)[0] == expected


def test_quantities() -> None:
    assert millicores("100m") == 100
    assert millicores("0.5") == 500
    assert millicores(2) == 2000
    assert byte_count("128Mi") == 128 * 2**20
    assert byte_count("1G") == 10**9
    assert byte_count("129e6") == 129_000_000
    assert parse_quantity("12x") is None
    assert parse_quantity("1.5Ki") == Decimal(1536)


def test_errors_are_input_errors() -> None:
    with pytest.raises(InputError):
        translate(["-"], stdin_text="apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", source="kubernetes")


def test_every_k_code_is_documented() -> None:
    from tests.helpers import ROOT
    from translator.findings import CODES

    text = (ROOT / "docs" / "kubernetes.md").read_text(encoding="utf-8")
    for code in CODES.values():
        if code.code.startswith("K"):
            assert f"| {code.code} | {code.severity} | {code.title} |" in text


SECURE_POD = """apiVersion: v1
kind: Pod
metadata:
  name: secure
spec:
  terminationGracePeriodSeconds: 45
  securityContext:
    runAsUser: 1000
    runAsGroup: 2000
    supplementalGroups: [3000]
    sysctls:
      - name: net.core.somaxconn
        value: "1024"
    fsGroup: 2000
  containers:
    - name: app
      image: example/app
      securityContext:
        runAsUser: 1500
        capabilities:
          add: [NET_ADMIN]
          drop: [ALL]
        readOnlyRootFilesystem: true
        allowPrivilegeEscalation: false
    - name: side
      image: example/side
"""


def test_security_context_of_the_container_over_the_pod_and_grace_period(tmp_path: Path) -> None:
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(SECURE_POD, encoding="utf-8")
    result = translate([str(manifest)])
    (job,) = result.jobs
    app, side = job.groups[0].tasks
    assert (app.user, side.user) == ("1500:2000", "1000:2000")  # runAsGroup from the Pod
    assert app.config.settings == {
        "cap_add": ["NET_ADMIN"],
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "readonly_rootfs": True,
        "group_add": ["3000"],
        "sysctl": {"net.core.somaxconn": "1024"},
    }
    assert side.config.settings == {"group_add": ["3000"], "sysctl": {"net.core.somaxconn": "1024"}}
    assert (app.kill_timeout, side.kill_timeout) == ("45s", "45s")
    codes = {f.code for f in result.findings}
    assert {"T011", "T015", "T016"} <= codes
    assert any(f.code == "K002" and "fsGroup" in f.message for f in result.findings)
