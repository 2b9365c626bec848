"""Translation options shared by the library API and the CLI."""

from __future__ import annotations

from translator.records import record

PROVIDERS = ("nomad", "consul")
DISCOVERY_MODES = ("nomad", "consul", "connect")
NAME_MODES = ("auto", "all", "off")


@record(frozen=True)
class Options:
    static_ports: bool = False  # keep published host ports as static ports
    provider: str = "nomad"  # service registration provider
    # How references to other services are rewritten: nomadService templates, Consul service
    # templates, or Consul Connect upstreams (see docs/discovery.md).
    discovery: str = "nomad"
    # Compose depends_on across groups: a prestart task that waits for the dependency's service
    # (translator/mapper/startup.py); False leaves start-up order to the application.
    wait_tasks: bool = True
    # Which names resolve inside the client allocations (translator/discovery/names.py): auto, the
    # dependencies and carried-file names the tool cannot rewrite; all, every reference (nothing
    # is rewritten); off, none.
    serve_names: str = "auto"
