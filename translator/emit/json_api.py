"""Nomad HTTP API JSON (``{"Job": {...}}``) from the Nomad model: the same job the HCL describes.

Keys are the API's Go field names and durations are integer nanoseconds. There is
no HCL layer here, so strings are written as they are, except in the Docker
driver's ``Config``, which the client still evaluates as HCL once (Layer C).
"""

from __future__ import annotations

import json
import re
from typing import Any

from translator.emit.docker import json_docker_option
from translator.emit.escape import config_layer_escape, json_config_value, json_value
from translator.nomad import Check, DockerConfig, Group, Job, Network, Port, Restart, Service, Task, Template

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}


def duration_ns(text: str) -> int:
    """Go duration text (``1m30s``) → nanoseconds."""
    parts = _DURATION.findall(text)
    if not parts or "".join(a + b for a, b in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return round(sum(float(amount) * _UNIT_NS[unit] for amount, unit in parts))


def _port(port: Port) -> dict[str, Any]:
    return {
        "Label": port.label,
        "Value": port.static or 0,
        "To": port.to or 0,
        "HostNetwork": port.host_network or "default",
    }


def _network(network: Network) -> dict[str, Any]:
    result: dict[str, Any] = {
        "Mode": network.mode,
        "DynamicPorts": [_port(p) for p in network.ports if p.static is None],
        "ReservedPorts": [_port(p) for p in network.ports if p.static is not None],
    }
    if network.hostname:
        result["Hostname"] = network.hostname
    if network.has_dns:
        result["DNS"] = {
            "Servers": list(network.dns_servers),
            "Searches": list(network.dns_searches),
            "Options": list(network.dns_options),
        }
    return result


def _service(service: Service) -> dict[str, Any]:
    result: dict[str, Any] = {
        "Name": service.name,
        "PortLabel": service.port,
        "Provider": service.provider,
        "Tags": [json_value(tag) for tag in service.tags],
    }
    if service.checks:
        result["Checks"] = [_check(c) for c in service.checks]
    if service.connect is not None:
        proxy: dict[str, Any] = {
            "Upstreams": [
                _upstream(u.destination_name, u.local_bind_port, u.local_bind_address)
                for u in service.connect.upstreams
            ]
        }
        if service.connect.local_service_port is not None:
            proxy["LocalServicePort"] = service.connect.local_service_port
        result["Connect"] = {"SidecarService": {"Proxy": proxy}}
    return result


def _upstream(destination: str, port: int, address: str | None) -> dict[str, Any]:
    upstream: dict[str, Any] = {"DestinationName": destination, "LocalBindPort": port}
    if address:
        upstream["LocalBindAddress"] = address
    return upstream


def _check(check: Check) -> dict[str, Any]:
    result: dict[str, Any] = {
        "Name": check.name,
        "Type": check.type,
        "PortLabel": check.port,
        "Interval": duration_ns(check.interval),
        "Timeout": duration_ns(check.timeout),
    }
    optional = {
        "Path": check.path,
        "Method": check.method,
        "Protocol": check.protocol,
        "GRPCService": check.grpc_service,
        "Command": check.command,
        "TaskName": check.task,
    }
    result.update({key: value for key, value in optional.items() if value})
    if check.command:
        result["Args"] = list(check.args)
    if check.header:
        result["Header"] = {key: list(values) for key, values in check.header.items()}
    if check.check_restart is not None:
        restart: dict[str, Any] = {"Limit": check.check_restart.limit, "IgnoreWarnings": False}
        if check.check_restart.grace:
            restart["Grace"] = duration_ns(check.check_restart.grace)
        result["CheckRestart"] = restart
    return result


def _restart(restart: Restart) -> dict[str, Any]:
    result: dict[str, Any] = {"Attempts": restart.attempts, "Mode": restart.mode}
    if restart.interval:
        result["Interval"] = duration_ns(restart.interval)
    if restart.delay:
        result["Delay"] = duration_ns(restart.delay)
    return result


def _config(config: DockerConfig) -> dict[str, Any]:
    """The driver's own snake_case keys, with strings escaped for the driver's HCL pass."""
    result: dict[str, Any] = {"image": config_layer_escape(config.image)}
    lists = {
        "entrypoint": config.entrypoint,
        "args": config.args,
        "extra_hosts": config.extra_hosts or None,
        "dns_servers": config.dns_servers or None,
        "dns_search_domains": config.dns_search_domains or None,
        "dns_options": config.dns_options or None,
    }
    scalars = {"network_mode": config.network_mode, "hostname": config.hostname, "work_dir": config.work_dir}
    for key, values in lists.items():
        if values is not None:
            result[key] = [json_config_value(v) for v in values]
    for key, value in scalars.items():
        if value:
            result[key] = config_layer_escape(value)
    for option, setting in config.settings.items():
        result[option] = json_docker_option(option, setting)
    return result


def _template(template: Template) -> dict[str, Any]:
    result: dict[str, Any] = {
        "EmbeddedTmpl": template.data,
        "DestPath": template.destination,
        "ChangeMode": template.change_mode,
        "Envvars": template.env,
    }
    if template.change_signal:
        result["ChangeSignal"] = template.change_signal
    return result


def _task(task: Task) -> dict[str, Any]:
    result: dict[str, Any] = {"Name": task.name, "Driver": task.driver, "Config": _config(task.config)}
    if task.user:
        result["User"] = task.user
    if task.kill_timeout:
        result["KillTimeout"] = duration_ns(task.kill_timeout)
    if task.kill_signal:
        result["KillSignal"] = task.kill_signal
    if task.env:
        result["Env"] = {key: json_value(value) for key, value in task.env.items()}
    if task.templates:
        result["Templates"] = [_template(t) for t in task.templates]
    if task.lifecycle:
        result["Lifecycle"] = {"Hook": task.lifecycle.hook, "Sidecar": task.lifecycle.sidecar}
    if task.volume_mounts:
        result["VolumeMounts"] = [
            {"Volume": m.volume, "Destination": m.destination, "ReadOnly": m.read_only}
            for m in task.volume_mounts
        ]
    if task.resources:
        resources = {"CPU": task.resources.cpu, "MemoryMB": task.resources.memory}
        if task.resources.memory_max is not None:
            resources["MemoryMaxMB"] = task.resources.memory_max
        result["Resources"] = {k: v for k, v in resources.items() if v is not None}
    return result


def _group(group: Group) -> dict[str, Any]:
    result: dict[str, Any] = {
        "Name": group.name,
        "Count": group.count,
        "Networks": [_network(group.network)],
        "Tasks": [_task(t) for t in group.tasks],
    }
    if group.services:
        result["Services"] = [_service(s) for s in group.services]
    if group.restart:
        result["RestartPolicy"] = _restart(group.restart)
    if group.volumes:
        result["Volumes"] = {
            v.name: {"Name": v.name, "Type": "host", "Source": v.source, "ReadOnly": v.read_only}
            for v in group.volumes
        }
    return result


def job_document(job: Job) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ID": job.name,
        "Name": job.name,
        "Type": job.type,
        "Datacenters": list(job.datacenters),
        "TaskGroups": [_group(g) for g in job.groups],
    }
    if job.namespace:
        body["Namespace"] = job.namespace
    if job.meta:
        body["Meta"] = dict(job.meta)
    if job.periodic:
        body["Periodic"] = {
            "Enabled": True,
            "SpecType": "cron",
            "Specs": list(job.periodic.crons),
            "ProhibitOverlap": job.periodic.prohibit_overlap,
        }
        if job.periodic.time_zone:
            body["Periodic"]["TimeZone"] = job.periodic.time_zone
    return {"Job": body}


def render_job_json(job: Job) -> str:
    return json.dumps(job_document(job), indent=2, ensure_ascii=False) + "\n"
