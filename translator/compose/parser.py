"""Compose project (normalised) → neutral model, with a finding for everything not carried over."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from translator import findings as codes
from translator.compose.healthcheck import parse_healthcheck
from translator.compose.loader import IMPLIED, ComposeProject
from translator.compose.normalize import CommandWords, parse_duration
from translator.compose.ports import expose_ports
from translator.findings import Findings
from translator.model import (
    Container,
    ContainerPort,
    Dependency,
    Endpoint,
    EnvVar,
    Project,
    Volume,
    Workload,
)
from translator.secret_names import looks_secret
from translator.source import Position
from translator.variables import shown
from translator.yamlsource import YamlMap, YamlSeq

# Compose keys read as container runtime settings (mapper/docker.py turns them into docker config).
DOCKER_SETTINGS = (
    "privileged", "cap_add", "cap_drop", "security_opt", "read_only", "init", "tty", "stdin_open",
    "labels", "sysctls", "ulimits", "shm_size", "pids_limit", "devices", "group_add", "ipc", "pid",
    "uts", "userns_mode", "runtime", "isolation", "mac_address", "cpuset", "oom_score_adj",
    "logging",
)  # fmt: skip

# Keys of the Compose specification that the translator reads.
CONSUMED = frozenset(
    {
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose",
        "network_mode", "networks", "links", "depends_on", "deploy", "scale", "hostname",
        "extra_hosts", "dns", "dns_search", "dns_opt", "restart", "volumes", "container_name",
        "profiles", "working_dir", "user", "secrets", "configs", "tmpfs", "healthcheck",
        "stop_grace_period", "stop_signal", "cpus", "mem_limit", "mem_reservation", *DOCKER_SETTINGS,
    }
)  # fmt: skip

# Keys of the Compose specification that are known but not translated (a finding each).
KNOWN = frozenset(
    {
        "annotations", "attach", "domainname", "blkio_config", "cgroup", "cgroup_parent", "cpu_count",
        "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares",
        "credential_spec", "develop", "device_cgroup_rules", "external_links", "gpus", "label_file",
        "mem_swappiness", "memswap_limit", "models", "oom_kill_disable", "platform", "post_start",
        "pre_stop", "provider", "pull_policy", "use_api_socket", "volumes_from", "pre_start",
        "pull_refresh_after", "storage_opt",
    }
)  # fmt: skip


def _path(service: str, *parts: str) -> str:
    return ".".join(("services", service, *parts))


class _ServiceParser:
    def __init__(self, project: ComposeProject, findings: Findings) -> None:
        self.project = project
        self.findings = findings

    def container(self, name: str, svc: YamlMap) -> Container:
        image = svc.get("image")
        build_only = False
        if not image:
            image = f"{self.project.name}-{name}"
            if "build" in svc:
                build_only = True
                self.findings.add(
                    codes.BUILD_ONLY,
                    svc.where_key("build"),
                    f"service {name!r} is built from source; the job uses image {image!r}",
                    f"build it (docker build -t {image} …), push it to a registry the Nomad clients can pull "
                    "from, and set the image in the job",
                    path=_path(name, "build"),
                    subject=name,
                )
            else:
                self.findings.add(
                    codes.BUILD_ONLY,
                    svc.pos,
                    f"service {name!r} names no image and no build; the job uses image {image!r}",
                    "set the image in the Compose file or in the job",
                    path=_path(name),
                    subject=name,
                )
        elif "build" in svc:
            self.findings.add(
                codes.BUILD_IGNORED,
                svc.where_key("build"),
                f"service {name!r} has both image and build; the job pulls {image!r}",
                "make sure the image is pushed to a registry the Nomad clients can pull from",
                path=_path(name, "build"),
                subject=name,
            )
        container = Container(name=name, position=svc.pos, image=str(image), build_only=build_only)
        for key in ("command", "entrypoint"):
            value = svc.get(key)
            if isinstance(value, list):
                setattr(container, key, [str(v) for v in value])
                setattr(container, f"{key}_position", svc.where(key))
            if isinstance(value, CommandWords) and value.dropped:
                self.truncated_command(name, key, value)
        self.environment(name, svc, container)
        self.ports(name, svc, container)
        self.volumes(name, svc, container)
        if isinstance(svc.get("hostname"), str):
            container.hostname = svc["hostname"]
        hosts = svc.get("extra_hosts")
        if isinstance(hosts, YamlSeq):
            for i, entry in enumerate(hosts):
                host, _, address = str(entry).partition("=")
                container.extra_hosts.append((host, address, hosts.where(i)))
        for key, attr in (("dns", "dns_servers"), ("dns_search", "dns_searches"), ("dns_opt", "dns_options")):
            if isinstance(svc.get(key), list):
                getattr(container, attr).extend(str(v) for v in svc[key])
                container.dns_position = container.dns_position or svc.where(key)
        if isinstance(svc.get("restart"), str):
            container.restart = svc["restart"]
            container.restart_position = svc.where("restart")
        self.stop(svc, container)
        self.resources(name, svc, container)
        self.settings(name, svc, container)
        if isinstance(svc.get("working_dir"), str):
            container.working_dir = svc["working_dir"]
        if isinstance(svc.get("user"), str):
            container.user = svc["user"]
        self.healthcheck(name, svc, container)
        return container

    def healthcheck(self, name: str, svc: YamlMap, container: Container) -> None:
        section = svc.get("healthcheck")
        if not isinstance(section, YamlMap):
            return
        parsed = parse_healthcheck(section)
        if parsed.check is not None:
            container.checks.append(parsed.check)
        elif parsed.inherited:
            self.findings.add(
                codes.CHECK_IMAGE_DEFAULT,
                svc.where_key("healthcheck"),
                f"healthcheck of service {name!r} has no test: it tunes the image's HEALTHCHECK, "
                "which the Compose file does not show; no check was made",
                "write the test in the Compose file, or add a check block to the service by hand",
                path=_path(name, "healthcheck"),
                subject=name,
            )

    def resources(self, name: str, svc: YamlMap, container: Container) -> None:
        """deploy.resources (else cpus, mem_limit, mem_reservation): reservations, else limits."""
        resources = _deploy_resources(svc)
        limits = _section(resources, "limits")
        reservations = _section(resources, "reservations")
        found = [
            (section, key)
            for section, key in (
                (limits, "cpus"), (limits, "memory"), (reservations, "cpus"), (reservations, "memory"),
                (svc, "cpus"), (svc, "mem_limit"), (svc, "mem_reservation"),
            )
            if section.get(key) is not None
        ]  # fmt: skip
        if not found:
            return
        container.resources_position = found[0][0].where(found[0][1])
        cpu_limit = limits.get("cpus", svc.get("cpus"))
        cpu = reservations.get("cpus") or cpu_limit
        if cpu:
            container.cpu_millicores = max(1, round(float(cpu) * 1000))
        memory_limit = limits.get("memory", svc.get("mem_limit"))
        memory = reservations.get("memory", svc.get("mem_reservation")) or memory_limit
        if memory:
            container.memory_bytes = int(memory)
            if memory_limit and int(memory_limit) > int(memory):
                container.memory_limit_bytes = int(memory_limit)
        if cpu_limit:
            where = limits if "cpus" in limits else svc
            self.findings.add(
                codes.CPU_LIMIT_SHARE,
                where.where_key("cpus"),
                f"cpus {float(cpu_limit):g} of {name!r} caps the container in Docker; Nomad's cpu reserves "
                "a share for scheduling and does not cap it",
                "set cpu_hard_limit = true in the task's docker config to cap it at its cpu",
                path=_path(name, "deploy", "resources", "limits", "cpus")
                if where is limits
                else _path(name, "cpus"),
                subject=name,
            )

    def settings(self, name: str, svc: YamlMap, container: Container) -> None:
        """Container runtime settings, in the shapes mapper/docker.py expects (see model.Container)."""
        for key in DOCKER_SETTINGS:
            value = svc.get(key)
            if value is None:
                continue
            read = _setting(key, value)
            if read is None:  # a shape Compose's schema refuses (loaded with --no-consistency)
                self.findings.add(
                    codes.NOT_TRANSLATED,
                    svc.where_key(key),
                    f"{key} of service {name!r} has a value the tool cannot read: {value!r}",
                    "write it as the Compose specification does, or set it in the job by hand",
                    path=_path(name, key),
                    subject=name,
                )
                continue
            container.settings[key] = read
            container.settings_positions[key] = svc.where_key(key)
        limits = _section(_deploy_resources(svc), "limits")
        if isinstance(limits.get("pids"), int) and "pids_limit" not in container.settings:
            container.settings["pids_limit"] = limits["pids"]
            container.settings_positions["pids_limit"] = limits.where_key("pids")

    def stop(self, svc: YamlMap, container: Container) -> None:
        grace = svc.get("stop_grace_period")
        nanoseconds = parse_duration(grace) if isinstance(grace, str) else None
        if nanoseconds is not None:
            container.stop_timeout = nanoseconds / 1e9
            container.stop_position = svc.where_key("stop_grace_period")
        if isinstance(svc.get("stop_signal"), str):
            container.stop_signal = svc["stop_signal"]
            container.stop_position = container.stop_position or svc.where_key("stop_signal")

    def truncated_command(self, name: str, key: str, words: CommandWords) -> None:
        kept = " ".join(shown(word) for word in words)
        self.findings.add(
            codes.COMMAND_TRUNCATED,
            words.pos,
            f"{key} of {name!r} stops at an unquoted shell operator: Compose runs {kept!r} and drops "
            f"{shown(words.dropped)!r}, and so does the job",
            f'to run the whole line in a shell, write {key}: ["sh", "-c", "..."]',
            path=_path(name, key),
            subject=name,
        )

    def environment(self, name: str, svc: YamlMap, container: Container) -> None:
        env = svc.get("environment")
        if not isinstance(env, YamlMap):
            return
        # Compose treats environment as a mapping: its order carries no meaning, so it is sorted.
        for key, value in sorted(env.items()):
            if value is None:
                self.findings.add(
                    codes.ENV_UNSET,
                    env.where_key(key),
                    f"environment variable {key} has no value and is not set; it was left out",
                    f"set {key} in the environment or .env before translating, or give it a value",
                    path=_path(name, "environment", key),
                    subject=name,
                )
                continue
            container.environment.append(EnvVar(key, str(value), env.where(key)))

    def ports(self, name: str, svc: YamlMap, container: Container) -> None:
        ports = svc.get("ports")
        if isinstance(ports, YamlSeq):
            for i, entry in enumerate(ports):
                if not isinstance(entry, YamlMap):
                    continue
                pos = ports.where(i)
                container.ports.append(
                    ContainerPort(
                        target=int(entry["target"]),
                        position=pos,
                        protocol=str(entry.get("protocol", "tcp")).lower(),  # Compose keeps UDP
                        published=entry.get("published"),
                        host_ip=entry.get("host_ip"),
                        name=entry.get("name"),
                        app_protocol=entry.get("app_protocol"),
                        mode=entry.get("mode"),
                    )
                )
                for extra in entry:
                    if extra not in (
                        "target",
                        "protocol",
                        "published",
                        "host_ip",
                        "name",
                        "app_protocol",
                        "mode",
                    ):
                        self.unknown(name, entry, extra, f"ports[{i}].{extra}")
        expose = svc.get("expose")
        if isinstance(expose, YamlSeq):
            for i, spec in enumerate(expose):
                numbers, protocol = expose_ports(str(spec))
                for number in numbers:
                    container.ports.append(
                        ContainerPort(number, expose.where(i), protocol=protocol, exposed_only=True)
                    )

    def bind_mount(self, name: str, volume: Volume, path: str) -> None:
        """A small text file is carried in the job; a directory or any other file needs a person."""
        content, why = _carried_file(self.project.working_dir, volume.source)
        if content is not None:
            volume.content = content
            self.findings.add(
                codes.VOLUME_FILE,
                volume.position,
                f"the file {volume.source} mounted at {volume.target} of {name!r} is carried in the job: a "
                "template writes its text into the task directory and the docker config mounts it there"
                + ("" if volume.read_only else "; what the container writes to it stays in the allocation"),
                "keep the job in step with the file, or render it from Nomad Variables or Consul",
                path=path,
                subject=name,
            )
            return
        self.findings.add(
            codes.VOLUME_BIND,
            volume.position,
            f"bind mount {volume.source} → {volume.target} is not translated ({why})",
            "copy the files into the image, render them with a template block, or define a Nomad "
            "host volume on the clients and mount it with volume/volume_mount",
            path=path,
            subject=name,
        )

    def named_volume(self, name: str, volume: Volume, path: str) -> None:
        if not volume.source:
            self.findings.add(
                codes.VOLUME_ANONYMOUS,
                volume.position,
                f"the anonymous volume at {volume.target} of {name!r} was left out: Docker makes a new one "
                "for each container, as the task's own filesystem is new in each allocation",
                path=path,
                subject=name,
            )
            return
        volume.host_name = host = self.volume_name(volume.source)
        self.findings.add(
            codes.VOLUME_HOST,
            volume.position,
            f"named volume {volume.source!r} at {volume.target} of {name!r} became host volume {host!r}, "
            "which a client must provide for the group to be placed there",
            f'add host_volume "{host}" {{ path = "..." }} to the client configuration (to keep the data '
            f"Docker has, path = /var/lib/docker/volumes/{host}/_data on that machine), or create a "
            "dynamic host volume of that name with nomad volume create",
            path=path,
            subject=name,
        )

    def volume_name(self, key: str) -> str:
        """The name Docker gives a project's volume: its name:, else <project>_<key> (the key itself
        for an external volume)."""
        declared = self.project.document.get("volumes")
        spec = declared.get(key) if isinstance(declared, YamlMap) else None
        if isinstance(spec, YamlMap) and isinstance(spec.get("name"), str):
            return str(spec["name"])
        external = spec.get("external") if isinstance(spec, YamlMap) else None
        if isinstance(external, YamlMap) and isinstance(external.get("name"), str):
            return str(external["name"])  # the legacy external: {name: ...}
        if external is True or isinstance(external, YamlMap):
            return key
        return f"{self.project.name}_{key}"

    def volumes(self, name: str, svc: YamlMap, container: Container) -> None:
        volumes = svc.get("volumes")
        if isinstance(volumes, list):
            for i, entry in enumerate(volumes):
                pos = volumes.where(i) if isinstance(volumes, YamlSeq) else svc.where("volumes")
                volume = _volume(entry, pos)
                container.volumes.append(volume)
                if volume.kind == "bind":
                    self.bind_mount(name, volume, _path(name, f"volumes[{i}]"))
                elif volume.kind == "volume":
                    self.named_volume(name, volume, _path(name, f"volumes[{i}]"))
                elif volume.kind == "tmpfs":  # the docker config's tmpfs mount
                    options = (
                        sorted(set(entry) - {"type", "target", "read_only"})
                        if isinstance(entry, dict)
                        else []
                    )
                    if options:
                        self.findings.add(
                            codes.VOLUME_TMPFS,
                            pos,
                            f"{', '.join(options)} of the tmpfs mount at {volume.target} of {name!r} "
                            "is not translated",
                            "set tmpfs_options { size, mode } on the docker config's mount by hand",
                            path=_path(name, f"volumes[{i}]"),
                            subject=name,
                        )
                else:
                    self.findings.add(
                        codes.VOLUME_TMPFS,
                        pos,
                        f"{volume.kind} mount at {volume.target} is not translated",
                        "set the equivalent mount in the docker config by hand",
                        path=_path(name, f"volumes[{i}]"),
                        subject=name,
                    )
        tmpfs = svc.get("tmpfs")
        for i, target in enumerate(tmpfs if isinstance(tmpfs, list) else [tmpfs] if tmpfs else []):
            pos = tmpfs.where(i) if isinstance(tmpfs, YamlSeq) else svc.where("tmpfs")
            path, _, written = str(target).partition(":")  # /run:rw,size=64m: options are Docker's
            container.volumes.append(Volume("tmpfs", "", path, False, pos))
            if written:
                self.findings.add(
                    codes.VOLUME_TMPFS,
                    pos,
                    f"the options {written!r} of the tmpfs mount at {path} of {name!r} are not translated",
                    "set tmpfs_options { size, mode } on the docker config's mount by hand",
                    path=_path(name, "tmpfs"),
                    subject=name,
                )
        for key in ("secrets", "configs"):
            if svc.get(key):
                self.findings.add(
                    codes.SECRET_NOT_TRANSLATED,
                    svc.where_key(key),
                    f"{key} of service {name!r} are not translated",
                    "store the values in Nomad Variables and render them into the task with a template block",
                    path=_path(name, key),
                    subject=name,
                )

    def unknown(self, name: str, mapping: YamlMap, key: str, path: str) -> None:
        self.findings.add(
            codes.UNKNOWN_KEY,
            mapping.where_key(key),
            f"unknown key {key!r} was ignored",
            "check the spelling against the Compose specification",
            path=_path(name, path),
            subject=name,
        )


# A bind-mounted file is carried in the job when it is text of at most this size.
MAX_CARRIED_FILE_BYTES = 64 * 1024
# Names of files that hold secrets: a secret is never written into a jobspec.
_SECRET_FILE_SUFFIXES = (".env", ".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx")


def _carried_file(directory: Path, source: str) -> tuple[str | None, str]:
    """The text of a bind-mounted file to carry in the job, else None and why not."""
    if Path(source).expanduser().is_absolute():
        return None, "a path on the host, which each client has or not"
    path = directory / source
    name = path.name.lower()
    if (
        looks_secret(re.sub(r"[^a-z0-9]+", "_", name))
        or name.endswith(_SECRET_FILE_SUFFIXES)
        or (name.startswith(("id_", ".htpasswd", "htpasswd")))
    ):
        return None, "its name says it holds a secret, which is never written into a job"
    try:
        if path.is_dir():
            return None, "a directory"
        if not path.is_file():
            return None, "no such file beside the project"
        if path.stat().st_size > MAX_CARRIED_FILE_BYTES:
            return None, f"a file larger than {MAX_CARRIED_FILE_BYTES // 1024} KiB"
        return path.read_bytes().decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "not a text file"
    except OSError as err:
        return None, f"cannot be read: {err.strerror}"


def _volume(entry: Any, pos: Position) -> Volume:
    if isinstance(entry, dict):
        kind = str(entry.get("type", "volume"))
        source = str(entry.get("source") or "")
        return Volume(kind, source, str(entry.get("target", "")), bool(entry.get("read_only")), pos)
    text = str(entry)
    parts = text.split(":")
    if len(parts) == 1:
        return Volume("volume", "", parts[0], False, pos)
    source, target = parts[0], parts[1]
    read_only = len(parts) > 2 and "ro" in parts[2].split(",")
    kind = "bind" if source.startswith((".", "/", "~", "$")) or "/" in source else "volume"
    return Volume(kind, source, target, read_only, pos)


def _network_mode(value: str) -> tuple[str, str | None]:
    if value in ("host", "none", "bridge", "default"):
        return value, None
    for prefix in ("service:", "container:"):
        if value.startswith(prefix):
            return prefix[:-1], value[len(prefix) :]
    return "other", value


def parse_project(project: ComposeProject, findings: Findings) -> Project:
    """Build the neutral model; services joined by ``network_mode: service:X`` share X's workload."""
    parser = _ServiceParser(project, findings)
    # Services form a mapping too: sorted, so that reordering a file does not change the job.
    services = dict(sorted(project.services.items()))
    owner: dict[str, str] = {}
    for name in services:
        owner[name] = _network_owner(name, services, findings)
    workloads: dict[str, Workload] = {}
    for name, svc in services.items():
        if owner[name] != name:
            continue
        workloads[name] = _workload(name, svc, parser, findings)
    for name, svc in services.items():
        if owner[name] == name:
            continue
        host = workloads[owner[name]]
        host.containers.append(parser.container(name, svc))
        host.endpoints.append(Endpoint(name, svc.pos, "service"))
        findings.add(
            codes.NETWORK_MERGED,
            svc.where("network_mode"),
            f"service {name!r} shares the network of {owner[name]!r}: it became a task in the same group",
            "the two now scale together; they reach each other on localhost as before",
            path=_path(name, "network_mode"),
            subject=name,
        )
        _common(name, svc, host, parser, findings)
    _top_level_findings(project, findings)
    _top_level_volumes(project, findings)
    _links(services, workloads, owner, findings)
    return Project(
        project.name, "compose", list(project.files), list(workloads.values()), variables=project.variables
    )


def _network_owner(name: str, services: dict[str, YamlMap], findings: Findings) -> str:
    """Follow ``network_mode: service:X`` chains to the service that owns the namespace."""
    seen = [name]
    current = name
    while True:
        mode = services[current].get("network_mode")
        if not isinstance(mode, str):
            return current
        kind, target = _network_mode(mode)
        if kind != "service" or target is None:
            return current
        if target not in services:
            from translator.source import InputError

            raise InputError(
                services[current].where("network_mode"),
                f"network_mode refers to service {target!r}, which is not defined",
            )
        if target in seen:
            from translator.source import InputError

            raise InputError(
                services[current].where("network_mode"), "network_mode service: references form a cycle"
            )
        seen.append(target)
        current = target


def _workload(name: str, svc: YamlMap, parser: _ServiceParser, findings: Findings) -> Workload:
    workload = Workload(name=name, position=svc.pos, containers=[], kind="Compose service")
    workload.endpoints.append(Endpoint(name, svc.pos, "service"))
    mode = svc.get("network_mode")
    if isinstance(mode, str):
        kind, _target = _network_mode(mode)
        if kind in ("host", "none"):
            workload.network_mode = kind
        elif kind == "container":
            findings.add(
                codes.NETWORK_CONTAINER,
                svc.where("network_mode"),
                f"network_mode {mode!r} joins a container outside the project; bridge networking is used",
                "run the two containers as tasks of one group, "
                "or reach the container through service discovery",
                path=_path(name, "network_mode"),
                subject=name,
            )
        elif kind == "other":
            findings.add(
                codes.NETWORK_MODE_OTHER,
                svc.where("network_mode"),
                f"network_mode {mode!r} is not recognised; bridge networking is used",
                "use host, none or service:NAME",
                path=_path(name, "network_mode"),
                subject=name,
            )
    count = svc.get("scale")
    count_pos = svc.where("scale") if "scale" in svc else None
    deploy = svc.get("deploy")
    if isinstance(deploy, YamlMap) and isinstance(deploy.get("replicas"), int):
        count, count_pos = deploy["replicas"], deploy.where("replicas")
    if isinstance(count, int):
        workload.count, workload.count_position = count, count_pos
    workload.containers.append(parser.container(name, svc))
    _common(name, svc, workload, parser, findings)
    return workload


def _common(name: str, svc: YamlMap, workload: Workload, parser: _ServiceParser, findings: Findings) -> None:
    """Settings of a service that belong to its workload: names, dependencies, and unread keys."""
    container_name = svc.get("container_name")
    if isinstance(container_name, str) and container_name != name:
        workload.endpoints.append(Endpoint(container_name, svc.where("container_name"), "alias"))
    networks = svc.get("networks")
    if isinstance(networks, YamlMap):
        for network, settings in networks.items():
            if not isinstance(settings, YamlMap):
                continue
            aliases = settings.get("aliases")
            if isinstance(aliases, list):
                for i, alias in enumerate(aliases):
                    pos = aliases.where(i) if isinstance(aliases, YamlSeq) else settings.where("aliases")
                    workload.endpoints.append(Endpoint(str(alias), pos, "alias"))
                    findings.add(
                        codes.NETWORK_ALIAS,
                        pos,
                        f"network alias {alias!r} of service {name!r} is registered as a service name",
                        path=_path(name, "networks", network, "aliases"),
                        subject=name,
                    )
            for key in ("ipv4_address", "ipv6_address", "link_local_ips", "mac_address"):
                if key in settings:
                    findings.add(
                        codes.STATIC_IP,
                        settings.where_key(key),
                        f"{key} on network {network!r} is not translated",
                        "address the service through service discovery instead of a fixed IP",
                        path=_path(name, "networks", network, key),
                        subject=name,
                    )
    depends = svc.get("depends_on")
    if isinstance(depends, YamlMap):
        for target, spec in depends.items():
            condition = (
                str(spec.get("condition", "service_started")) if isinstance(spec, dict) else "service_started"
            )
            required = bool(spec.get("required", True)) if isinstance(spec, dict) else True
            short = {"service_started": "started", "service_healthy": "healthy"}.get(condition, "completed")
            if depends.tags.get(target) == IMPLIED and svc.get("network_mode") == f"service:{target}":
                continue  # the loader's order for a shared namespace: in Nomad the group provides it
            workload.depends_on.append(Dependency(target, short, required, depends.where_key(target), name))
    for key in svc:
        if key in CONSUMED or key.startswith("x-"):
            continue
        if key in KNOWN:
            findings.add(
                codes.NOT_TRANSLATED,
                svc.where_key(key),
                f"{key} of service {name!r} is not translated",
                "set the equivalent in the job by hand if the application needs it",
                path=_path(name, key),
                subject=name,
            )
        else:
            parser.unknown(name, svc, key, key)
    _unread_subkeys(name, svc, findings)


def _links(
    services: dict[str, YamlMap], workloads: dict[str, Workload], owner: dict[str, str], findings: Findings
) -> None:
    """``links: [db:database]`` makes ``database`` another name for ``db``, and orders start-up."""
    for name, svc in services.items():
        links = svc.get("links")
        if not isinstance(links, YamlSeq):
            continue
        for i, link in enumerate(links):
            target, _, alias = str(link).partition(":")
            if target not in owner:
                continue
            workload = workloads[owner[target]]
            if alias and alias != target and all(e.name != alias for e in workload.endpoints):
                workload.endpoints.append(Endpoint(alias, links.where(i), "link"))
            caller = workloads[owner[name]]
            if all(d.target != target or d.dependant != name for d in caller.depends_on):
                caller.depends_on.append(Dependency(target, "started", True, links.where(i), name))


def _top_level_findings(project: ComposeProject, findings: Findings) -> None:
    document = project.document
    networks = document.get("networks")
    if isinstance(networks, YamlMap) and networks:
        findings.add(
            codes.NETWORKS_IGNORED,
            document.where_key("networks"),
            "Compose networks (" + ", ".join(networks) + ") have no Nomad equivalent; each group gets "
            "bridge networking and services find each other through service discovery",
            path="networks",
        )
    for key in ("secrets", "configs"):
        if isinstance(document.get(key), YamlMap) and document[key]:
            findings.add(
                codes.SECRET_NOT_TRANSLATED,
                document.where_key(key),
                f"top-level {key} (" + ", ".join(document[key]) + ") are not translated",
                "store them in Nomad Variables and render them with template blocks",
                path=key,
            )


# Sub-keys the parser reads inside the keys of CONSUMED; any other sub-key gets a finding.


def _setting(key: str, value: Any) -> Any:
    """One setting in its model shape, or None when the value is not one Compose would accept."""
    if key in ("labels", "sysctls"):
        return (
            {str(k): "" if v is None else str(v) for k, v in value.items()}
            if isinstance(value, dict)
            else None
        )
    if key == "ulimits":
        return _ulimits(value) if isinstance(value, dict) else None
    if key == "devices":
        return [d for d in (_device(item) for item in value) if d] if isinstance(value, list) else None
    if key == "logging":
        if not isinstance(value, dict):
            return None
        options = value.get("options")
        return {
            "driver": str(value.get("driver") or ""),
            "options": {str(k): str(v) for k, v in options.items()} if isinstance(options, dict) else {},
        }
    if key in ("cap_add", "cap_drop", "security_opt", "group_add"):
        return [str(item) for item in value] if isinstance(value, list) else None
    if key == "shm_size":
        return int(value) if isinstance(value, str) and value.isdigit() else None  # the loader's bytes
    return value if isinstance(value, (int, str)) else None  # booleans are ints too


def _ulimits(value: dict[str, Any]) -> dict[str, str]:
    """``nofile: {soft: 20000, hard: 40000}`` → ``"20000:40000"``; a single number is both."""
    read: dict[str, str] = {}
    for name, limit in value.items():
        if isinstance(limit, dict):
            read[str(name)] = f"{limit.get('soft')}:{limit.get('hard')}"
        else:
            read[str(name)] = str(limit)
    return read


def _device(item: Any) -> list[str] | None:
    """``/dev/a:/dev/b:rw`` or the long form → [host path, container path, permissions]."""
    if isinstance(item, dict):
        source = item.get("source")
        return [str(source), str(item.get("target") or source), str(item.get("permissions") or "rwm")]
    if not isinstance(item, str) or not item:
        return None
    parts = item.split(":")
    host = parts[0]
    target = parts[1] if len(parts) > 1 else host
    return [host, target, parts[2] if len(parts) > 2 else "rwm"]


_READ_SUBKEYS = {
    "deploy": frozenset({"replicas", "resources"}),
    "resources": frozenset({"limits", "reservations"}),
    "limits": frozenset({"cpus", "memory", "pids"}),
    "reservations": frozenset({"cpus", "memory"}),
    "depends_on": frozenset({"condition", "required"}),
}


def _deploy_resources(svc: YamlMap) -> YamlMap | None:
    deploy = svc.get("deploy")
    resources = deploy.get("resources") if isinstance(deploy, YamlMap) else None
    return resources if isinstance(resources, YamlMap) else None


def _section(resources: Any, name: str) -> YamlMap:
    section = resources.get(name) if isinstance(resources, YamlMap) else None
    return section if isinstance(section, YamlMap) else YamlMap(Position("-"))


def _unread_resources(name: str, resources: YamlMap, findings: Findings) -> None:
    """One finding per deploy.resources key the translator does not read (devices, ...)."""
    sections = [("", resources), ("limits", _section(resources, "limits"))]
    sections.append(("reservations", _section(resources, "reservations")))
    for section, mapping in sections:
        for key in mapping:
            if key not in _READ_SUBKEYS[section or "resources"]:
                where = ".".join(p for p in ("deploy.resources", section, key) if p)
                findings.add(
                    codes.NOT_TRANSLATED,
                    mapping.where_key(key),
                    f"{where} of service {name!r} is not translated",
                    "use a device block for GPUs; set other resources and limits by hand",
                    path=_path(name, *where.split(".")),
                    subject=name,
                )


def _unread_subkeys(name: str, svc: YamlMap, findings: Findings) -> None:
    """deploy.resources, deploy.restart_policy, depends_on.X.restart, ...: not translated, reported."""
    deploy = svc.get("deploy")
    if isinstance(deploy, YamlMap):
        for key in deploy:
            if key not in _READ_SUBKEYS["deploy"]:
                findings.add(
                    codes.NOT_TRANSLATED,
                    deploy.where_key(key),
                    f"deploy.{key} of service {name!r} is not translated",
                    "set the equivalent in the job by hand (resources, restart, update or placement blocks)",
                    path=_path(name, "deploy", key),
                    subject=name,
                )
        resources = _deploy_resources(svc)
        if resources is not None:
            _unread_resources(name, resources, findings)
    depends = svc.get("depends_on")
    if isinstance(depends, YamlMap):
        for target, spec in depends.items():
            for key in spec if isinstance(spec, YamlMap) else ():
                if key == "restart" and depends.tags.get(target) == IMPLIED:
                    continue  # added by the loader for links / network_mode, not written by the user
                if key not in _READ_SUBKEYS["depends_on"]:
                    findings.add(
                        codes.NOT_TRANSLATED,
                        spec.where_key(key),
                        f"depends_on.{target}.{key} of service {name!r} is not translated",
                        "Nomad has no equivalent; start order comes from the dependency's health",
                        path=_path(name, "depends_on", target, key),
                        subject=name,
                    )


def _top_level_volumes(project: ComposeProject, findings: Findings) -> None:
    """A volume's name and external are read (each mount became a host volume); the rest is not."""
    volumes = project.document.get("volumes")
    for key, spec in volumes.items() if isinstance(volumes, YamlMap) else ():
        for setting in spec if isinstance(spec, YamlMap) else ():
            if setting not in ("name", "external"):
                findings.add(
                    codes.NOT_TRANSLATED,
                    spec.where_key(setting),
                    f"{setting} of volume {key!r} is not translated: the host volume on the clients decides "
                    "where and how the data is stored",
                    "give the client's host_volume (or a CSI volume) the storage these settings describe",
                    path=f"volumes.{key}.{setting}",
                )


# What the parser reads, as path patterns over the loaded project (translator.report.coverage):
# the "no silent drops" test checks that every other key of every input has a finding.
READ_PATHS = (
    "name", "version", "services", "services.*", "x-*", "x-*.**", "services.*.x-*", "services.*.x-*.**",
    "services.*.image", "services.*.command", "services.*.entrypoint", "services.*.environment",
    "services.*.environment.*", "services.*.env_file", "services.*.env_file.**", "services.*.ports",
    "services.*.ports[*].target", "services.*.ports[*].published", "services.*.ports[*].protocol",
    "services.*.ports[*].host_ip", "services.*.ports[*].name", "services.*.ports[*].app_protocol",
    "services.*.ports[*].mode", "services.*.expose", "services.*.network_mode", "services.*.networks",
    "services.*.networks.*", "services.*.networks.*.aliases", "services.*.links", "services.*.depends_on",
    "services.*.depends_on.*", "services.*.depends_on.*.condition", "services.*.depends_on.*.required",
    # restart of a dependency the loader implied (links, network_mode): read, deliberately not reported
    "services.*.depends_on.*.restart",
    "services.*.deploy", "services.*.deploy.replicas", "services.*.scale", "services.*.hostname",
    "services.*.extra_hosts", "services.*.dns", "services.*.dns_search", "services.*.dns_opt",
    "services.*.restart", "services.*.container_name", "services.*.profiles", "services.*.working_dir",
    "services.*.user", "services.*.volumes", "services.*.healthcheck", "services.*.healthcheck.test",
    "services.*.healthcheck.interval", "services.*.healthcheck.timeout", "services.*.healthcheck.retries",
    "services.*.healthcheck.start_period", "services.*.healthcheck.start_interval",
    "services.*.healthcheck.disable", "services.*.stop_grace_period", "services.*.stop_signal",
    "services.*.cpus", "services.*.mem_limit", "services.*.mem_reservation", "services.*.deploy.resources",
    "services.*.deploy.resources.limits", "services.*.deploy.resources.reservations",
    "services.*.deploy.resources.limits.cpus", "services.*.deploy.resources.limits.memory",
    "services.*.deploy.resources.reservations.cpus", "services.*.deploy.resources.reservations.memory",
    "services.*.deploy.resources.limits.pids", "volumes", "volumes.*", "volumes.*.name", "volumes.*.external",
    "volumes.*.external.name", "services.*.tmpfs", "services.*.tmpfs[*]", "services.*.volumes[*].type",
    "services.*.volumes[*].target", "services.*.volumes[*].source", "services.*.volumes[*].read_only",
    *(path for key in DOCKER_SETTINGS for path in (f"services.*.{key}", f"services.*.{key}.**")),
)  # fmt: skip
