"""Start-up order: Compose ``depends_on`` and ``links`` → lifecycle hooks and wait tasks.

Nomad starts the groups of a job independently; only tasks inside one group can be ordered,
with ``lifecycle``: the main tasks start once every ``prestart`` task with ``sidecar = false``
has exited successfully and every ``prestart`` sidecar is running
(client/allocrunner/tasklifecycle/coordinator.go, ``isPrestartDone``).

- A dependency in the same group (services joined by ``network_mode: service:X``) becomes a
  ``prestart`` task of the group: a sidecar when it keeps running, an ephemeral one for
  ``service_completed_successfully``.
- A dependency in another group gets a wait task in the dependant's group: HashiCorp's
  task-dependency pattern (a ``prestart`` busybox task that loops until the dependency can be
  found), with the lookup done by a ``template`` instead of DNS. The template renders the
  dependency's registered instances into a file with ``nomadService`` (or Consul's ``service``,
  which lists only instances whose checks pass); ``change_mode = "noop"`` re-renders it in
  place, and the task exits once the file is not empty. Nomad-native services have no DNS,
  and Consul DNS would need forwarding on every client; the template needs neither.
"""

from __future__ import annotations

from translator import findings as codes
from translator.findings import Findings
from translator.mapper.names import NameSpace, dns_label
from translator.model import Dependency, Workload
from translator.nomad import DockerConfig, Group, Lifecycle, Resources, Task, Template
from translator.options import Options

WAIT_IMAGE = "busybox:1.36"
POLL_SECONDS = 2
OPTIONAL_TRIES = 60  # required: false: give up after two minutes and start anyway


def order_startup(placed: list[tuple[Workload, Group]], options: Options, findings: Findings) -> None:
    owners = {c.name: (w, g) for w, g in placed for c in w.containers}
    for workload, group in placed:
        task_names = NameSpace()
        for task in group.tasks:
            task_names.reserve(task.name)
        for dependency in workload.depends_on:
            target = owners.get(dependency.target)
            if target is None:
                continue  # left out by profiles or undefined: the loader reported it
            if target[1] is group:
                _same_group(dependency, workload, group, findings)
            elif not options.wait_tasks:
                findings.add(
                    codes.ORDER_DROPPED,
                    dependency.position,
                    f"{_dependant(dependency, workload)!r} depends on {dependency.target!r}: no wait task "
                    "(--no-wait-tasks), the two start in any order",
                    "make the application retry its connections",
                    subject=workload.name,
                )
            else:
                _wait_task(dependency, workload, group, target[1], options, findings, task_names)


def _dependant(dependency: Dependency, workload: Workload) -> str:
    return dependency.dependant or workload.name


def _task_of(group: Group, workload: Workload, container: str) -> Task:
    index = next(i for i, c in enumerate(workload.containers) if c.name == container)
    return group.tasks[index]


def _same_group(dependency: Dependency, workload: Workload, group: Group, findings: Findings) -> None:
    dependant = _dependant(dependency, workload)
    if dependant == dependency.target:
        return
    before = _task_of(group, workload, dependency.target)
    after = _task_of(group, workload, dependant)
    sidecar = dependency.condition != "completed"
    if after.lifecycle is not None or (before.lifecycle is not None and before.lifecycle.sidecar != sidecar):
        findings.add(
            codes.ORDER_DROPPED,
            dependency.position,
            f"{dependant!r} depends on {dependency.target!r} in the same group, but Nomad orders tasks in "
            "one step only (prestart, then main): this order was dropped",
            "make the application retry, or split the chain into groups",
            subject=workload.name,
        )
        return
    before.lifecycle = Lifecycle(hook="prestart", sidecar=sidecar)
    kind = "a prestart sidecar task: it starts first and keeps running" if sidecar else "a prestart task"
    extra = (
        "; Nomad waits for it to run, not to be healthy"
        if dependency.condition == "healthy"
        else "; the main tasks start once it exits successfully"
        if not sidecar
        else ""
    )
    findings.add(
        codes.ORDER_LIFECYCLE,
        dependency.position,
        f"{dependant!r} depends on {dependency.target!r} in the same group: "
        f"{before.name!r} became {kind}{extra}",
        subject=workload.name,
    )


def _wait_task(
    dependency: Dependency,
    workload: Workload,
    group: Group,
    target: Group,
    options: Options,
    findings: Findings,
    names: NameSpace,
) -> None:
    dependant = _dependant(dependency, workload)
    if dependency.condition == "completed":
        findings.add(
            codes.ORDER_DROPPED,
            dependency.position,
            f"{dependant!r} waits for {dependency.target!r} to complete, but it runs in another group: "
            "Nomad cannot order tasks across groups, so the two start in any order",
            f"run {dependency.target!r} as a batch job before this one, or make it a prestart task of "
            f"{dependant!r}'s group by hand",
            subject=workload.name,
        )
        return
    if not target.services:
        findings.add(
            codes.WAIT_NO_SERVICE,
            dependency.position,
            f"{dependant!r} depends on {dependency.target!r}, which registers no service: there is nothing "
            "to wait for, so the two start in any order",
            f"declare a port on {dependency.target!r} so that it is registered",
            subject=workload.name,
        )
        return
    service = target.services[0]
    wanted = dns_label(f"wait-for-{service.name}")
    if wanted in names.taken:
        return  # already waiting for it (depends_on and links on the same service)
    name = names.claim(wanted)
    group.tasks.append(wait_task(name, service.name, service.provider, dependency.required))
    healthy = service.provider == "consul"
    state = "registered with passing checks" if healthy else "registered"
    optional = "" if dependency.required else f" (required: false: it gives up after {_optional_wait()})"
    code = codes.WAIT_TASK
    hint = "pass --no-wait-tasks to leave start-up order to the application"
    message = (
        f"{dependant!r} depends on {dependency.target!r}: prestart task {name!r} ({WAIT_IMAGE}) waits until "
        f"service {service.name!r} is {state}{optional}"
    )
    if dependency.condition == "healthy" and not healthy:
        code = codes.WAIT_NOT_HEALTHY
        message += "; nomadService lists instances whatever their checks say, so it does not wait for health"
        hint = "pass --provider consul to wait for passing checks"
    findings.add(code, dependency.position, message, hint, subject=workload.name)


def _optional_wait() -> str:
    return f"{OPTIONAL_TRIES * POLL_SECONDS // 60} minutes"


def wait_task(name: str, service: str, provider: str, required: bool = True) -> Task:
    """A prestart task that exits once ``service`` has an instance in the provider's catalog."""
    function = "service" if provider == "consul" else "nomadService"
    destination = f"local/{name}.addr"
    data = f'{{{{ range {function} "{service}" }}}}{{{{ .Address }}}}:{{{{ .Port }}}}\n{{{{ end }}}}'
    # The file is empty until an instance exists; the template re-renders it in place (noop).
    if required:
        script = (
            f"until [ -s /{destination} ]; do echo 'waiting for service {service}'; "
            f"sleep {POLL_SECONDS}; done"
        )
    else:
        script = (
            f"i=0; until [ -s /{destination} ] || [ $i -ge {OPTIONAL_TRIES} ]; do "
            f"echo 'waiting for service {service}'; i=$((i+1)); sleep {POLL_SECONDS}; done"
        )
    return Task(
        name=name,
        config=DockerConfig(image=WAIT_IMAGE, args=["sh", "-c", script]),
        templates=[Template(data=data, destination=destination, env=False, change_mode="noop")],
        comment=f"waits until service {service!r} is registered (start-up order; --no-wait-tasks removes it)",
        lifecycle=Lifecycle(hook="prestart", sidecar=False),
        resources=Resources(cpu=50, memory=32),
    )
