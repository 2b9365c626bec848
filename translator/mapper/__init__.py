"""Neutral model → Nomad model. Each step (names, ports, services, tasks) is its own function."""

from __future__ import annotations

import dataclasses
import functools
import os
import re

from translator import findings as codes
from translator.discovery import names as names_module
from translator.discovery import references as references_module
from translator.discovery import rewrite as rewrite_module
from translator.findings import Findings
from translator.mapper import checks, startup
from translator.mapper.docker import apply_settings
from translator.mapper.hosts import share_hosts
from translator.mapper.names import NameSpace, claim_reported, dns_label
from translator.mapper.ports import MappedPort, map_ports
from translator.mapper.resources import task_resources
from translator.mapper.shutdown import stop_settings
from translator.mapper.variables import job_variables, report_variables, settle_variables
from translator.mapper.volumes import shared_volumes, volume_mounts
from translator.model import Container, Endpoint, Project, Workload
from translator.nomad import (
    DockerConfig,
    Group,
    Job,
    Network,
    Restart,
    Service,
    Task,
    Template,
    Text,
)
from translator.options import Options
from translator.source import Position

# Nomad's runtime interpolation (applied to env values on the client) matches exactly this;
# a literal value that contains it would be rewritten, so such values go through a template.
RUNTIME_INTERPOLATION = re.compile(r"\$\{[a-zA-Z0-9_\-.]+\}")


def map_project(project: Project, options: Options, findings: Findings) -> list[Job]:
    from translator.discovery import rewrite

    settle_variables(project, findings)  # before discovery reads the values
    references, plan, options = _discovery_before(project, options, findings)
    checks.register_check_ports(project, findings)
    if project.job_per_workload:  # Kubernetes: one job per workload object
        from translator.mapper.workloads import map_workload_jobs

        jobs = map_workload_jobs(project, options, findings)
        placed = [rewrite.Placed(w, j, j.groups[0]) for w, j in zip(project.workloads, jobs, strict=True)]
    else:
        job = _compose_job(project, options, findings)
        jobs = [job]
        placed = [rewrite.Placed(w, job, g) for w, g in zip(project.workloads, job.groups, strict=True)]
    # Names first: under Connect a rewritten value then uses the upstream a served name made.
    names_module.serve_names(plan, placed, options, findings)
    if options.serve_names != "all":  # under "all" every value arrives as written
        rewrite.rewrite_references(placed, references, options, findings)
    _after_discovery(placed, options, findings)
    share_hosts([(p.workload, p.group) for p in placed], findings)  # last: every task gets the list
    return _with_variables(jobs, project, findings)


def _with_variables(jobs: list[Job], project: Project, findings: Findings) -> list[Job]:
    """Each job declares the kept variables it still refers to (--keep-variables)."""
    if project.variables:
        for job in jobs:
            job.variables = job_variables(job, project.variables)
        used = {v.name for job in jobs for v in job.variables}
        report_variables([v for v in project.variables if v.name in used], findings)
    return jobs


def _after_discovery(placed: list[rewrite_module.Placed], options: Options, findings: Findings) -> None:
    """Steps that need the final services (Connect) and task list: they run after discovery."""
    pairs = [(p.workload, p.group) for p in placed]
    checks.adapt_to_connect(pairs, findings)
    startup.order_startup(pairs, options, findings)  # adds tasks: discovery indexes tasks by container


def _discovery_before(
    project: Project, options: Options, findings: Findings
) -> tuple[references_module.References, names_module.NamePlan, Options]:
    """Find references and the names to serve (registering the target ports they use) before any
    port is mapped."""
    hidden = options.serve_names == "off"  # otherwise a dependency no value names is served by name
    references = references_module.find_references(project, hidden)
    plan = names_module.plan_names(project, references, options, findings)
    if plan.ports_registered:  # a target's port became known: references to it can now be rewritten
        references = references_module.find_references(project, hidden)
    notes = references.notes + references_module.register_missing_ports(project, references)
    for note in notes:
        findings.add(note.code, note.position, note.message, note.hint, subject=note.subject)
    if options.discovery in ("consul", "connect") and options.provider != "consul":
        findings.add(
            codes.DISCOVERY_PROVIDER,
            Position(project.files[0] if project.files else "-"),
            f"--discovery {options.discovery} reads services from Consul: every service uses provider consul",
        )
        options = dataclasses.replace(options, provider="consul")
    return references, plan, options


def _compose_job(project: Project, options: Options, findings: Findings) -> Job:
    job_name = _rename(project.name, "job", Position(project.files[0] if project.files else "-"), findings)
    sources = ", ".join(shown_path(file) for file in project.files)
    job = Job(name=job_name, groups=[], comment=f"Translated from {sources}")
    group_names = NameSpace()
    service_names = NameSpace()  # one discovery namespace: a name must not be shared by two groups
    for workload in project.workloads:
        job.groups.append(map_workload(workload, options, findings, group_names, service_names))
    shared_volumes(project, job, findings)
    return job


def shown_path(path: str) -> str:
    """A path as written in jobspec comments: relative to the working directory when inside it, so
    the same sources give the same bytes wherever they are checked out."""
    return _relative_to(path, os.getcwd())


@functools.lru_cache(maxsize=1024)
def _relative_to(path: str, cwd: str) -> str:
    if os.path.isabs(path):
        relative = os.path.relpath(path, cwd)
        if not relative.startswith(".."):
            return relative
    return path


def shown(position: Position) -> str:
    return Position(shown_path(position.file), position.line).short


def _rename(name: str, what: str, position: Position, findings: Findings, subject: str = "") -> str:
    new = dns_label(name)
    if new != name:
        findings.add(
            codes.RENAMED,
            position,
            f"{what} name {name!r} became {new!r}",
            "Nomad names are lowercase letters, digits and dashes, at most 63 characters",
            subject=subject,
        )
    return new


def map_workload(
    workload: Workload,
    options: Options,
    findings: Findings,
    group_names: NameSpace,
    service_names: NameSpace | None = None,
) -> Group:
    wanted = _rename(workload.name, "group", workload.position, findings, workload.name)
    name = claim_reported(group_names, wanted, "group", workload, findings)
    labels = NameSpace()
    mapped = map_ports(workload, options, findings, labels)
    network = Network(mode=workload.network_mode, ports=[m.port for m in mapped])
    if workload.network_mode == "none" and mapped:
        network.ports = []
        findings.add(
            codes.NETWORK_MODE_OTHER,
            workload.position,
            f"{workload.name!r} has network_mode none; its ports cannot be reached and were left out",
            subject=workload.name,
        )
        mapped = []
    comment = f"{workload.kind} {workload.name!r} ({shown(workload.position)})"
    group = Group(name=name, network=network, tasks=[], count=workload.count, comment=comment)
    service_names = service_names or NameSpace()
    group.services = _services(workload, mapped, options, findings, service_names)
    task_names = NameSpace()
    for container in workload.containers:
        group.tasks.append(_task(container, workload, group, options, findings, task_names))
    checks.attach_checks(workload, group, mapped, options, findings, service_names)
    group.restart = _restart(workload, findings)
    return group


def _services(
    workload: Workload, mapped: list[MappedPort], options: Options, findings: Findings, job_names: NameSpace
) -> list[Service]:
    if not mapped:
        return []
    services: list[Service] = []
    own: set[str] = set()
    for endpoint in workload.endpoints:
        if endpoint.kind == "external":
            continue
        base = _rename(endpoint.name, "service", endpoint.position, findings, workload.name)
        for i, port in enumerate(_endpoint_ports(endpoint, mapped)):
            wanted = base if i == 0 else dns_label(f"{base}-{port.port.label.replace('_', '-')}")
            if wanted in own:
                continue
            own.add(wanted)
            name = job_names.claim(wanted)
            if name != wanted:
                findings.add(
                    codes.NAME_CLASH,
                    endpoint.position,
                    f"service name {wanted!r} is already registered by another group; this one is {name!r}",
                    "references to it must use the new name",
                    subject=workload.name,
                )
            wanted = name
            tags: list[Text] = (
                [f"app_protocol={port.source.app_protocol}"] if port.source.app_protocol else []
            )
            services.append(Service(name=wanted, port=port.port.label, provider=options.provider, tags=tags))
    return services


def _endpoint_ports(endpoint: Endpoint, mapped: list[MappedPort]) -> list[MappedPort]:
    """The ports an endpoint reaches: those its port list targets (a Kubernetes Service), else all."""
    if not endpoint.ports:
        return mapped
    chosen: list[MappedPort] = []
    for wanted in endpoint.ports:
        for port in mapped:
            if port.source.target == wanted.target and port not in chosen:
                chosen.append(port)
                break
    return chosen


def _task(
    container: Container,
    workload: Workload,
    group: Group,
    options: Options,
    findings: Findings,
    names: NameSpace,
) -> Task:
    wanted = _rename(container.name, "task", container.position, findings, workload.name)
    name = names.claim(wanted)
    config = DockerConfig(
        image=container.image,
        entrypoint=None if container.entrypoint is None else list(container.entrypoint),
        args=None if container.command is None else list(container.command),
    )
    if workload.network_mode == "host":
        # Group host mode alone still puts a Docker task on Docker's bridge; the task must ask for host.
        config.network_mode = "host"
    task = Task(name=name, config=config, comment=f"{container.name!r} ({shown(container.position)})")
    _placement_of_network_settings(container, workload, group, config, findings)
    config.extra_hosts = [f"{host}:{address}" for host, address, _ in container.extra_hosts]
    config.work_dir = container.working_dir
    task.user = container.user
    apply_settings(container, workload, config, findings)
    volume_mounts(container, group, task)
    stop_settings(container, workload, task, findings)
    task.resources = task_resources(container, workload, findings)
    templated: list[tuple[str, str]] = []
    for var in container.environment:
        if var.runtime is not None or var.secret is not None:
            continue  # known only at run time or kept secret: mapper.workloads renders them
        if RUNTIME_INTERPOLATION.search(var.value):
            templated.append((var.name, var.value))
            findings.add(
                codes.ENV_INTERPOLATION,
                var.position,
                f"{var.name} is rendered by a template so that Nomad does not interpolate or reject it",
                subject=workload.name,
            )
        else:
            task.env[var.name] = var.value
    if templated:
        task.templates.append(Template(data=env_template(templated), destination="local/env.env"))
    return task


def env_template(pairs: list[tuple[str, str]]) -> str:
    """consul-template text that renders ``KEY="value"`` lines with the values exactly as given."""
    from translator.discovery.envfile import template_literal

    return "".join(f"{key}={template_literal(value)}\n" for key, value in pairs)


def _placement_of_network_settings(
    container: Container, workload: Workload, group: Group, config: DockerConfig, findings: Findings
) -> None:
    """Under group bridge, Docker refuses hostname and DNS on the task; they move to the network."""
    bridge = workload.network_mode == "bridge"
    network = group.network
    if container.hostname:
        if bridge and network.hostname is None:
            network.hostname = container.hostname
            findings.add(
                codes.HOSTNAME_MOVED,
                container.position,
                f"hostname {container.hostname!r} became the group network's hostname",
                subject=workload.name,
            )
        elif bridge:
            findings.add(
                codes.HOSTNAME_MOVED,
                container.position,
                f"hostname {container.hostname!r} of {container.name!r} was dropped: the group already has "
                f"hostname {network.hostname!r}",
                subject=workload.name,
            )
        else:
            config.hostname = container.hostname
    if container.dns_servers or container.dns_searches or container.dns_options:
        if bridge:
            network.dns_servers += [s for s in container.dns_servers if s not in network.dns_servers]
            network.dns_searches += [s for s in container.dns_searches if s not in network.dns_searches]
            network.dns_options += [s for s in container.dns_options if s not in network.dns_options]
            findings.add(
                codes.DNS_MOVED,
                container.dns_position or container.position,
                "DNS settings moved to the group network's dns block",
                subject=workload.name,
            )
        else:
            config.dns_servers = list(container.dns_servers)
            config.dns_search_domains = list(container.dns_searches)
            config.dns_options = list(container.dns_options)


def _restart(workload: Workload, findings: Findings) -> Restart | None:
    container = workload.containers[0]
    policy, pos = container.restart, container.restart_position
    if policy is None or pos is None:
        return None
    if policy in ("always", "unless-stopped"):
        findings.add(
            codes.RESTART_MAPPED,
            pos,
            f'restart: {policy} became restart {{ mode = "delay" }}: Nomad restarts the task without limit',
            subject=workload.name,
        )
        return Restart(attempts=3, mode="delay", interval="1m", delay="15s")
    if policy.startswith("on-failure"):
        _, _, count = policy.partition(":")
        attempts = int(count) if count.isdigit() else 3
        findings.add(
            codes.RESTART_MAPPED,
            pos,
            f'restart: {policy} became restart {{ attempts = {attempts}, mode = "fail" }}; Nomad also '
            "restarts tasks that exit successfully in a service job",
            subject=workload.name,
        )
        return Restart(attempts=attempts, mode="fail", interval="24h", delay="15s")
    if policy == "no":
        findings.add(
            codes.RESTART_NO,
            pos,
            "restart: no became restart { attempts = 0 }: the task is not restarted on its client, but a "
            "service job still reschedules a failed allocation",
            "run one-shot services as a batch job",
            subject=workload.name,
        )
        return Restart(attempts=0, mode="fail")
    return None
