"""Every task's extra_hosts, and the names served → one hosts list on every docker task of a group.

In bridge mode Nomad writes one hosts file per allocation, from the first docker task that starts
(prestart tasks start first), and never rewrites it: an entry that only one task carries is lost
whenever another task starts first. So each task gets the whole list: the source's entries in task
order (the first address given for a host wins, P018 says so), then the names served
(``Wire(kind="name")``, translator/discovery/names.py); a name the source maps itself keeps the
source's address, and its wires go (D011 says so).
"""

from __future__ import annotations

from translator import findings as codes
from translator.findings import Findings
from translator.model import Workload
from translator.nomad import Group


def share_hosts(placed: list[tuple[Workload, Group]], findings: Findings) -> None:
    for workload, group in placed:
        docker = [t for t in group.tasks if t.driver == "docker"]
        if group.network.mode != "bridge" or not docker:
            continue
        entries: dict[str, str] = {}
        for container in workload.containers:
            for host, address, position in container.extra_hosts:
                if entries.setdefault(host, address) != address:
                    findings.add(
                        codes.EXTRA_HOSTS_SHARED,
                        position,
                        f"extra_hosts of {container.name!r} maps {host!r} to {address}, but another task of "
                        f"the group maps it to {entries[host]}: the group shares one /etc/hosts, which keeps "
                        "the first",
                        "give the host one address in every service of the group",
                        subject=workload.name,
                    )
        overridden = {w.name for w in group.wiring if w.kind == "name" and w.name in entries}
        for name in sorted(overridden):
            wire = next(w for w in group.wiring if w.kind == "name" and w.name == name)
            findings.add(
                codes.NAME_NOT_SERVED,
                wire.position,
                f"{workload.name!r} would reach {wire.target!r} by the name {name!r}, but its own "
                f"extra_hosts map {name!r} to {entries[name]}: the source's entry is kept",
                f"drop the extra_hosts entry for {name!r} to reach {wire.target!r} through the forwarder",
                subject=workload.name,
            )
        group.wiring = [w for w in group.wiring if not (w.kind == "name" and w.name in overridden)]
        for wire in group.wiring:
            if wire.kind == "name":
                entries.setdefault(wire.name, wire.address)
        if entries:
            listed = [f"{host}:{address}" for host, address in entries.items()]
            for task in docker:
                task.config.extra_hosts = list(listed)
