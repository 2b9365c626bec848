"""The project checks Docker Compose makes once the model is loaded (compose-go's ``checkConsistency``).

Compose refuses a project that fails one of them, so the loader does too, with the
position of the value at fault: a job built from a project Compose would not run
would hide the mistake. Only services left after profiles are checked, as in Compose;
``--no-consistency`` skips them all, as it does in Compose.
"""

from __future__ import annotations

from typing import Any

from translator.source import InputError, Position
from translator.yamlsource import YamlMap, YamlSeq

HEALTHCHECK_KINDS = ("CMD", "CMD-SHELL", "NONE")

# The service keys of the Compose specification (compose-go's schema, v2.40 era).
SERVICE_KEYS = frozenset(
    {
        "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup",
        "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent",
        "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset",
        "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules", "devices", "dns",
        "dns_opt", "dns_search", "domainname", "entrypoint", "env_file", "environment", "expose",
        "extends", "external_links", "extra_hosts", "gpus", "group_add", "healthcheck", "hostname",
        "image", "init", "ipc", "isolation", "label_file", "labels", "links", "logging", "mac_address",
        "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "models", "network_mode",
        "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports",
        "post_start", "pre_start", "pre_stop", "privileged", "profiles", "provider", "pull_policy",
        "pull_refresh_after", "read_only", "restart", "runtime", "scale", "secrets", "security_opt",
        "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs",
        "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volumes", "volumes_from",
        "working_dir",
    }
)  # fmt: skip


# The service keys whose schema allows null (a key written with nothing after it).
NULLABLE_SERVICE_KEYS = frozenset({"command", "deploy", "develop", "entrypoint", "pid"})


# Keys of the service sections the schema closes too (compose-go's schema, v2.40 era).
SECTION_KEYS = {
    "healthcheck": frozenset(
        {"disable", "interval", "retries", "start_interval", "start_period", "test", "timeout"}
    ),
    "build": frozenset(
        {
            "additional_contexts", "args", "cache_from", "cache_to", "context", "dockerfile",
            "dockerfile_inline", "entitlements", "extra_hosts", "isolation", "labels", "network",
            "no_cache", "no_cache_filter", "platforms", "privileged", "provenance", "pull", "sbom",
            "secrets", "shm_size", "ssh", "tags", "target", "ulimits",
        }
    ),
    "deploy": frozenset(
        {
            "endpoint_mode", "labels", "mode", "placement", "replicas", "resources", "restart_policy",
            "rollback_config", "update_config",
        }
    ),
}  # fmt: skip
DEPENDS_ON_KEYS = frozenset({"condition", "required", "restart"})
PORT_KEYS = frozenset({"app_protocol", "host_ip", "mode", "name", "protocol", "published", "target"})
NETWORK_KEYS = frozenset(
    {
        "aliases", "driver_opts", "gw_priority", "interface_name", "ipv4_address", "ipv6_address",
        "link_local_ips", "mac_address", "priority",
    }
)  # fmt: skip


def check_service_keys(name: str, service: YamlMap) -> None:
    """Compose's schema allows only the specification's keys, and ``x-`` extensions, in a
    service and in its closed sections (healthcheck, build, deploy, depends_on entries,
    long-syntax ports, networks entries): a misspelt key is refused, not ignored."""
    _known_keys(service, SERVICE_KEYS, f"service {name!r}")
    for section, keys in SECTION_KEYS.items():
        value = service.get(section)
        if isinstance(value, YamlMap):
            _known_keys(value, keys, f"{section} of service {name!r}")
    for section, keys in (("depends_on", DEPENDS_ON_KEYS), ("networks", NETWORK_KEYS)):
        entries = service.get(section)
        for target, entry in entries.items() if isinstance(entries, YamlMap) else ():
            if isinstance(entry, YamlMap):
                _known_keys(entry, keys, f"{section}.{target} of service {name!r}")
    ports = service.get("ports")
    for entry in ports if isinstance(ports, list) else ():
        if isinstance(entry, YamlMap):
            _known_keys(entry, PORT_KEYS, f"a port of service {name!r}")


def _known_keys(mapping: YamlMap, keys: frozenset[str], where: str) -> None:
    for key in mapping:
        if key not in keys and not str(key).startswith("x-"):
            raise InputError(
                mapping.where_key(key),
                f"unknown key {key!r} in {where}; expected a key of the Compose specification "
                "(or x- for an extension)",
            )


def check_empty_values(document: YamlMap, before: YamlMap | None = None) -> None:
    """Compose's schema refuses most keys left empty (``environment:`` and only a comment).

    It validates each file merged with the ones before it, so an empty key is fine where an
    earlier file (``before``) gave it a value: the merge keeps that value.
    """
    earlier = before if before is not None else YamlMap(document.pos)
    found = earlier.get("services")
    earlier_services: dict[str, Any] = found if isinstance(found, YamlMap) else {}
    for key, value in document.items():
        if value is None and not key.startswith("x-") and earlier.get(key) is None:
            raise InputError(
                document.where_key(key),
                f"top-level {key!r} has no value; expected one, or remove the key (Compose refuses it empty)",
            )
    services = document.get("services")
    for name, service in services.items() if isinstance(services, YamlMap) else ():
        if not isinstance(service, YamlMap):
            continue
        previous = earlier_services.get(name)
        _check_conditions(name, service, previous)
        for key, value in service.items():
            if value is not None or key in NULLABLE_SERVICE_KEYS or str(key).startswith("x-"):
                continue
            if key in service.tags or "extends" in service:
                continue  # !reset; or extends, whose base may fill the key in
            if isinstance(previous, dict) and previous.get(key) is not None:
                continue  # a value from an earlier file
            raise InputError(
                service.where_key(key),
                f"{key!r} of service {name!r} has no value; expected one, or remove the key "
                "(Compose refuses it empty)",
            )


def _check_conditions(name: str, service: YamlMap, previous: Any) -> None:
    """Compose's schema requires a ``condition`` in a long-syntax ``depends_on`` entry, once
    merged with the files before: an override may leave it to the entry it extends."""
    depends = service.get("depends_on")
    if not isinstance(depends, YamlMap) or "depends_on" in service.tags or "extends" in service:
        return
    earlier = previous.get("depends_on") if isinstance(previous, dict) else None
    for target, spec in depends.items():
        if isinstance(spec, dict) and "condition" not in spec:
            if isinstance(earlier, dict) and isinstance(earlier.get(target), dict):
                continue
            raise InputError(
                depends.where_key(target),
                f"depends_on entry {target!r} has no 'condition'; expected service_started, "
                "service_healthy or service_completed_successfully",
            )


def check_consistency(document: YamlMap, services: YamlMap, enabled: set[str]) -> None:
    """Raise for the first inconsistency of an ``enabled`` service (one its profiles leave in)."""
    declared = {kind: _names(document, kind) for kind in ("networks", "volumes", "secrets", "configs")}
    for name, service in services.items():
        if name in enabled and isinstance(service, YamlMap):
            _check_service(name, service, services, declared, services.where_key(name))
            _check_dependencies(name, service, services, enabled)


def _check_dependencies(name: str, service: YamlMap, services: YamlMap, enabled: set[str]) -> None:
    """A dependency must be a service of the project, enabled unless it is optional (required: false)."""
    depends = service.get("depends_on")
    if not isinstance(depends, YamlMap):
        return
    for target, spec in depends.items():
        if target in enabled:
            continue
        pos = depends.where_key(target)
        if services.get(target) is None:
            raise InputError(
                pos,
                f"service {name!r} depends on undefined service {target!r}; expected one of the project's",
            )
        if not (isinstance(spec, dict) and spec.get("required") is False):
            profiles = services[target].get("profiles") or []
            raise InputError(
                pos,
                f"service {name!r} depends on {target!r}, which its profiles leave out; expected "
                + (f"--profile {profiles[0]}" if profiles else "its profile")
                + f" (or required: false on the dependency, or the same profiles on {name!r})",
            )


def _names(document: YamlMap, kind: str) -> set[str]:
    section = document.get(kind)
    return {str(key) for key in section} if isinstance(section, dict) else set()


def _check_service(
    name: str, service: YamlMap, services: YamlMap, declared: dict[str, set[str]], pos: Position
) -> None:
    if not service.get("image") and "build" not in service and "provider" not in service:
        raise InputError(
            pos, f"service {name!r} has neither an image nor a build context; expected 'image' or 'build'"
        )
    mode = service.get("network_mode")
    networks = service.get("networks")
    if mode and networks:
        raise InputError(
            service.where_key("networks"),
            f"service {name!r} sets both network_mode and networks; expected only one of them",
        )
    if isinstance(networks, YamlMap):
        for network in networks:
            # Compose creates the default network for the services that use it.
            if network != "default" and network not in declared["networks"]:
                raise _undefined(networks.where_key(network), name, "network", network, "networks")
    if isinstance(mode, str) and mode.startswith("service:"):
        target = mode[len("service:") :]
        if target not in services:
            raise InputError(
                service.where("network_mode"),
                f"service {name!r} uses network_mode {mode!r}, but the project has no service {target!r}",
            )
    _check_build(name, service)
    _check_healthcheck(name, service)
    _check_volumes(name, service, declared["volumes"])
    for kind in ("secrets", "configs"):
        _check_references(name, service, kind, declared[kind])
    _check_scale(name, service)
    _check_resources(name, service)


def _undefined(pos: Position, service: str, what: str, name: str, section: str) -> InputError:
    return InputError(
        pos, f"service {service!r} refers to undefined {what} {name!r}; expected it in top-level '{section}'"
    )


def _check_build(name: str, service: YamlMap) -> None:
    build = service.get("build")
    if not isinstance(build, YamlMap):
        return
    if build.get("dockerfile") and build.get("dockerfile_inline"):
        raise InputError(
            build.where_key("dockerfile_inline"),
            f"service {name!r} sets both build.dockerfile and build.dockerfile_inline; expected one of them",
        )
    platforms = build.get("platforms")
    platform = service.get("platform")
    if isinstance(platforms, list) and platforms and platform and platform not in platforms:
        raise InputError(
            service.where("platform"),
            f"service {name!r} runs on platform {platform!r}, which build.platforms does not include; "
            "expected one of " + ", ".join(map(str, platforms)),
        )


def _check_healthcheck(name: str, service: YamlMap) -> None:
    check = service.get("healthcheck")
    if not isinstance(check, YamlMap):
        return
    test = check.get("test")
    if isinstance(test, list) and test and test[0] not in HEALTHCHECK_KINDS:
        raise InputError(
            check.where("test"),
            f"healthcheck test of service {name!r} starts with {test[0]!r}; expected "
            '"CMD", "CMD-SHELL" or "NONE" first (or a string, run by the shell)',
        )


def _check_volumes(name: str, service: YamlMap, declared: set[str]) -> None:
    volumes = service.get("volumes")
    if not isinstance(volumes, YamlSeq):
        return
    for index, volume in enumerate(volumes):
        pos = volumes.where(index)
        if isinstance(volume, str):
            source = short_volume_source(volume, pos)
        elif isinstance(volume, dict) and volume.get("type", "volume") == "volume":
            source = str(volume.get("source") or "")
        else:
            continue
        if source and not _is_path(source) and source not in declared:
            raise _undefined(pos, name, "volume", source, "volumes")


def short_volume_source(spec: str, pos: Position) -> str:
    """The source of a ``SOURCE:TARGET[:MODE]`` volume as compose-go's ``ParseVolume`` splits it."""
    if len(spec) <= 2:
        return ""
    fields: list[str] = []
    buffer = ""
    depth = 0  # inside ${...}, where ':' is not a separator
    for index, char in enumerate(spec):
        if char == "$" and spec[index + 1 : index + 2] == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == ":" and not depth and not (len(buffer) == 1 and buffer.isalpha()):
            fields.append(buffer)
            buffer = ""
            continue
        buffer += char
    fields.append(buffer)
    if "" in fields or len(fields) > 3:
        why = "empty section between colons" if "" in fields else "too many colons"
        raise InputError(pos, f"invalid volume {spec!r}: {why}; expected SOURCE:TARGET[:MODE]")
    return fields[0] if len(fields) > 1 else ""


def _is_path(source: str) -> bool:
    """A bind mount's host path, as compose-go tells it from a volume name."""
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and source[0].isalpha() and source[1] == ":"  # a Windows drive


def _check_references(name: str, service: YamlMap, kind: str, declared: set[str]) -> None:
    entries = service.get(kind)
    if not isinstance(entries, YamlSeq):
        return
    for index, entry in enumerate(entries):
        source: Any = entry.get("source") if isinstance(entry, dict) else entry
        if source is not None and str(source) not in declared:
            raise _undefined(entries.where(index), name, kind[:-1], str(source), kind)


# A legacy key and its deploy.resources twin (compose-go loader/validate.go).
_RESOURCE_TWINS = (
    ("cpus", "limits", "cpus"),
    ("mem_limit", "limits", "memory"),
    ("mem_reservation", "reservations", "memory"),
    ("pids_limit", "limits", "pids"),
)


def _check_resources(name: str, service: YamlMap) -> None:
    """A legacy limit beside a deploy.resources section must give the same value, as in Compose
    (which compares it with the section's value, 0 where the section leaves it out)."""
    deploy = service.get("deploy")
    resources = deploy.get("resources") if isinstance(deploy, YamlMap) else None
    if not isinstance(resources, YamlMap):
        return
    for legacy, section_name, key in _RESOURCE_TWINS:
        value, section = service.get(legacy), resources.get(section_name)
        if value in (None, 0, "0") or not isinstance(section, YamlMap):
            continue
        twin = section.get(key)
        if _number(value) != _number(twin or 0):
            raise InputError(
                service.where(legacy),
                f"service {name!r} sets {legacy} {value} and deploy.resources.{section_name}.{key} "
                f"{twin if twin is not None else 'unset'}; expected the same value, or only one of them",
            )


def _number(value: Any) -> float | str:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)  # not a number: the schema check reports it; compared as text here


def _check_scale(name: str, service: YamlMap) -> None:
    scale = service.get("scale")
    deploy = service.get("deploy")
    replicas = deploy.get("replicas") if isinstance(deploy, YamlMap) else None
    if isinstance(scale, int) and isinstance(replicas, int) and scale != replicas:
        raise InputError(
            service.where("scale"),
            f"service {name!r} sets scale {scale} and deploy.replicas {replicas}; expected one value",
        )
    if isinstance(scale, int) and isinstance(deploy, YamlMap) and replicas is None:
        # compose-go's checkConsistency copies scale into a deploy section that has no replicas
        deploy.set("replicas", scale, service.where_key("scale"), service.where("scale"))
        replicas = scale
    for count, pos in ((scale, service.where("scale")), (replicas, service.where("deploy"))):
        if isinstance(count, int) and count < 0:
            raise InputError(pos, f"service {name!r} asks for {count} replicas; expected 0 or more")
    count = scale if isinstance(scale, int) else replicas if isinstance(replicas, int) else 1
    if count > 1 and service.get("container_name"):
        raise InputError(
            service.where("container_name"),
            f"service {name!r} sets container_name and {count} replicas; expected one of them, "
            "as a container name must be unique",
        )
