"""One job per workload (Kubernetes): job settings, and the task settings a Pod carries beyond Compose's.

``map_project`` hands a project here when ``project.job_per_workload`` is set. Each workload
becomes a job with one group; the group itself is built by ``map_workload`` like any other, and
this module adds what only these workloads have: job type, periodic, namespace, meta, task
lifecycle, resources, and env values known only at run time or kept in a secret store.
"""

from __future__ import annotations

import json
import re

from translator import findings as codes
from translator.findings import Findings
from translator.mapper.names import NameSpace, claim_reported, dns_label
from translator.model import Container, EnvVar, Project, Workload
from translator.nomad import Group, Job, Lifecycle, Periodic, Task, Template
from translator.options import Options

# Runtime meanings (model.EnvVar.runtime) → the Nomad variable that holds them on the client.
RUNTIME_VARIABLES = {
    "alloc.name": "${NOMAD_ALLOC_NAME}",
    "alloc.id": "${NOMAD_ALLOC_ID}",
    "namespace": "${NOMAD_NAMESPACE}",
    # Under bridge networking the namespace address is not reachable from other clients; the
    # client's address (with the mapped ports) is what others can use.
    "alloc.ip": "${attr.unique.network.ip-address}",
    "host.ip": "${attr.unique.network.ip-address}",
    "node.name": "${node.unique.name}",
}
_NAMESPACE_INVALID = re.compile(r"[^a-zA-Z0-9-]+")
_ITEM_INVALID = re.compile(r"[^A-Za-z0-9_]+")


def map_workload_jobs(project: Project, options: Options, findings: Findings) -> list[Job]:
    from translator.mapper import map_workload, shown, shown_path

    jobs: list[Job] = []
    job_names = NameSpace()
    sources = ", ".join(shown_path(file) for file in project.files)
    for workload in project.workloads:
        name = claim_reported(job_names, dns_label(workload.name), "job", workload, findings)
        job = Job(
            name=name,
            groups=[],
            type=workload.job_type,
            namespace=_namespace(workload),
            comment=f"Translated from {sources}: {workload.kind} {workload.name!r} "
            f"({shown(workload.position)})",
            meta=dict(workload.labels),
        )
        if workload.schedule is not None:
            job.periodic = Periodic(
                crons=list(workload.schedule.crons),
                prohibit_overlap=workload.schedule.prohibit_overlap,
                time_zone=workload.schedule.time_zone,
            )
        group = map_workload(workload, options, findings, NameSpace(), NameSpace())
        for task, container in zip(group.tasks, workload.containers, strict=True):
            _task_settings(task, container, workload, job, group, findings)
        job.groups.append(group)
        jobs.append(job)
    return jobs


def _namespace(workload: Workload) -> str | None:
    if not workload.namespace:
        return None
    return _NAMESPACE_INVALID.sub("-", workload.namespace)[:128] or None


def _task_settings(
    task: Task, container: Container, workload: Workload, job: Job, group: Group, findings: Findings
) -> None:
    if container.lifecycle is not None:
        task.lifecycle = Lifecycle(hook="prestart", sidecar=container.lifecycle == "sidecar")
    runtime = {v.name: RUNTIME_VARIABLES[v.runtime] for v in container.environment if v.runtime is not None}
    if runtime:
        # Keep the source's order: the env block reads like the manifest it came from.
        merged = {**task.env, **runtime}
        order = [v.name for v in container.environment if v.name in merged]
        task.env = {name: merged[name] for name in order} | {
            k: v for k, v in merged.items() if k not in order
        }
    secrets = [var for var in container.environment if var.secret is not None]
    if secrets:
        task.templates.append(_secret_template(secrets, job, group, task, workload, findings))


def _secret_template(
    secrets: list[EnvVar], job: Job, group: Group, task: Task, workload: Workload, findings: Findings
) -> Template:
    """Env lines read from Nomad Variables: the value never appears in the jobspec.

    Known keys live as items of the job's variable ``nomad/jobs/<job>`` named ``<secret>_<key>``;
    a Secret whose keys are not in the input (``envFrom`` of a Secret that is not given) reads every
    item of the task's own variable ``nomad/jobs/<job>/<group>/<task>``. Both paths are readable by
    the task's workload identity without an extra ACL policy.
    """
    job_path = f"nomad/jobs/{job.name}"
    lines: list[str] = []
    items: list[str] = []
    for var in secrets:
        assert var.secret is not None
        if var.secret.key == "*":
            task_path = f"{job_path}/{group.name}/{task.name}"
            lines.append(
                f'{{{{ with nomadVar "{task_path}" }}}}{{{{ range $k, $v := . }}}}'
                "{{ $k }}={{ $v.String | toJSON }}\n{{ end }}{{ end }}"
            )
            findings.add(
                codes.K8S_SECRET_VARIABLE,
                var.position,
                f"create Nomad Variable {task_path} with one item per key of Secret {var.secret.store!r}",
                f"nomad var put {task_path} KEY=value …",
                subject=workload.name,
            )
            continue
        item = _ITEM_INVALID.sub("_", f"{var.secret.store}_{var.secret.key}")
        if item not in items:
            items.append(item)
        value = f"{{{{ (index . {json.dumps(item)}).String | toJSON }}}}"
        lines.append(f'{{{{ with nomadVar "{job_path}" }}}}{var.name}={value}{{{{ end }}}}\n')
    if items:
        findings.add(
            codes.K8S_SECRET_VARIABLE,
            workload.position,
            f"create Nomad Variable {job_path} with items {', '.join(items)} (the Secrets' values)",
            f"nomad var put {job_path} " + " ".join(f"{item}=…" for item in items),
            subject=workload.name,
        )
    return Template(data="".join(lines), destination="secrets/kubernetes-secrets.env")
