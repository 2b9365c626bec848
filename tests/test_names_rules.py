"""Nomad's and Consul's rules for the blocks that serving names adds, over every fixture and corpus
case in every discovery mode. Each rule names where it was read:

- upstream listeners unique per group: nomad/job_endpoint_hook_connect.go
  (groupConnectUpstreamsValidate, "using same address for upstreams");
- one upstream per destination in a proxy: Consul refuses duplicate upstream destinations;
- template change_mode "signal" needs change_signal and refuses env = true: nomad/structs/structs.go
  (Template.Validate);
- a sidecar lifecycle is prestart or poststart: nomad/structs/structs.go (TaskLifecycleConfig.Validate);
- extra_hosts entries are host:IP with an IP that parses: drivers/docker/config.go and the driver's
  hosts-file code (drivers/shared/hostnames), which also means they only reach the allocation's
  hosts file in bridge mode;
- Connect needs bridge networking: nomad/job_endpoint_hook_connect.go.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, compose_corpus_cases, consistent, corpus_dir
from translator.api import Result, translate
from translator.nomad import Group
from translator.options import DISCOVERY_MODES, Options

INPUTS: list[tuple[str, Path, bool]] = [
    *(
        (f"fixture-{p.parent.parent.name}-{p.parent.name}", p, True)
        for p in sorted(FIXTURES.glob("*/*/compose.yaml"))
    ),
    *((f"fixture-k8s-{p.name}", p, True) for p in sorted((FIXTURES / "kubernetes").iterdir()) if p.is_dir()),
    ("fixture-names-kubernetes-code", FIXTURES / "names" / "kubernetes-code", True),
    *((f"corpus-{name}", path, consistent(path)) for name, path in compose_corpus_cases()),
    *((f"corpus-k8s-{p.name}", p, True) for p in sorted(corpus_dir("kubernetes").iterdir()) if p.is_dir()),
]


def _run(path: Path, mode: str, consistency: bool, serve_names: str = "auto") -> Result | None:
    try:
        options = Options(discovery=mode, serve_names=serve_names)
        return translate([str(path)], options, environ={}, consistency=consistency)
    except Exception as error:  # an input fixture that is meant to be refused
        if type(error).__name__ == "InputError":
            return None
        raise


def check_group(group: Group) -> None:
    upstreams = [u for s in group.services if s.connect for u in s.connect.upstreams]
    listeners = Counter((u.local_bind_address or "127.0.0.1", u.local_bind_port) for u in upstreams)
    assert not [k for k, n in listeners.items() if n > 1], f"{group.name}: upstream listeners repeat"
    destinations = Counter(u.destination_name for u in upstreams)
    assert not [k for k, n in destinations.items() if n > 1], f"{group.name}: an upstream destination repeats"
    if upstreams:
        assert group.network.mode == "bridge"
    docker = [t for t in group.tasks if t.driver == "docker"]
    served = {w.name for w in group.wiring if w.kind == "name"}
    if served:
        assert group.network.mode == "bridge"
        lists = {tuple(e for e in t.config.extra_hosts if e.split(":", 1)[0] in served) for t in docker}
        assert len(lists) == 1, f"{group.name}: tasks disagree on the served names"
    for task in group.tasks:
        for entry in task.config.extra_hosts:
            host, _, address = entry.partition(":")
            if host in served:
                assert ipaddress.ip_address(address)
        if task.lifecycle is not None and task.lifecycle.sidecar:
            assert task.lifecycle.hook in ("prestart", "poststart")
        for template in task.templates:
            if template.change_mode == "signal":
                assert template.change_signal and not template.env


@pytest.mark.parametrize("serve_names", ["auto", "all"])
@pytest.mark.parametrize("mode", DISCOVERY_MODES)
@pytest.mark.parametrize(("name", "path", "consistency"), INPUTS, ids=[i[0] for i in INPUTS])
def test_blocks_follow_nomads_rules(
    name: str, path: Path, consistency: bool, mode: str, serve_names: str
) -> None:
    result = _run(path, mode, consistency, serve_names)
    if result is None:
        return
    for job in result.jobs:
        for group in job.groups:
            check_group(group)
