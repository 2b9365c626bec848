"""Kubernetes objects → the neutral model: one workload per workload object, Services as endpoints.

Everything the tool does not carry over produces a finding at the key's position: unknown
kinds, kinds that are not translated, and every key of a workload, Pod spec, container or
Service that is not read. The key sets below are the contract the corpus test checks.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Any

from translator import findings as codes
from translator.findings import Findings
from translator.kubernetes.expansion import expand
from translator.kubernetes.loader import Manifests
from translator.kubernetes.probes import HANDLER_KEYS, PROBE_HINTS, PROBE_KEYS, PROBES, parse_probe
from translator.kubernetes.quantity import byte_count, millicores
from translator.model import (
    Container,
    ContainerPort,
    Endpoint,
    EndpointPort,
    EnvVar,
    Project,
    Schedule,
    SecretRef,
    Workload,
)
from translator.records import record
from translator.source import InputError, Position
from translator.yamlsource import YamlMap, YamlSeq

DEFAULT_NAMESPACE = "default"
CLUSTER_DOMAIN = "cluster.local"

# Kind → Nomad job type (None: a bare Pod, decided by its restartPolicy).
WORKLOAD_KINDS: dict[str, str | None] = {
    "Deployment": "service",
    "StatefulSet": "service",
    "ReplicaSet": "service",
    "ReplicationController": "service",
    "DaemonSet": "system",
    "Job": "batch",
    "CronJob": "batch",
    "Pod": None,
}

# Kinds that are read for what others refer to in them.
LOOKUP_KINDS = frozenset({"Service", "ConfigMap", "Secret"})

# Kinds the tool knows and does not translate, with what to do instead.
NOT_TRANSLATED_KINDS: dict[str, str] = {
    "Ingress": "route traffic with a load balancer that reads the service catalog (Traefik, Fabio, "
    "HAProxy, NGINX with consul-template)",
    "IngressClass": "configure the load balancer job instead",
    "NetworkPolicy": "use Consul service mesh intentions, or firewall rules on the clients",
    "PersistentVolumeClaim": "create a Nomad host volume or CSI volume and mount it with volume/volume_mount",
    "PersistentVolume": "register the storage as a Nomad host volume or CSI volume",
    "StorageClass": "install a CSI plugin on the clients and create volumes with nomad volume create",
    "HorizontalPodAutoscaler": "use the Nomad Autoscaler with a scaling block in the group",
    "VerticalPodAutoscaler": "size the task's resources block by hand",
    "PodDisruptionBudget": "tune the job's update and migrate blocks",
    "ServiceAccount": "give the task a workload identity and the ACL policies it needs",
    "Role": "write Nomad ACL policies",
    "ClusterRole": "write Nomad ACL policies",
    "RoleBinding": "attach Nomad ACL policies to the job's workload identity",
    "ClusterRoleBinding": "attach Nomad ACL policies to the job's workload identity",
    "Namespace": "create it with nomad namespace apply",
    "LimitRange": "set resources on each task",
    "ResourceQuota": "use Nomad quotas (Enterprise)",
    "PriorityClass": "set the job's priority",
    "Endpoints": "register the external addresses in the service catalog by hand",
    "EndpointSlice": "register the external addresses in the service catalog by hand",
    "CustomResourceDefinition": "custom resources have no Nomad equivalent",
    "MutatingWebhookConfiguration": "admission webhooks have no Nomad equivalent",
    "ValidatingWebhookConfiguration": "admission webhooks have no Nomad equivalent",
}

TOP_LEVEL = frozenset({"apiVersion", "kind", "metadata", "spec", "status"})
# ConfigMap and Secret data is read where env refers to it; unused ones get one finding each.
LOOKUP_TOP_LEVEL = {
    "ConfigMap": frozenset({"data", "binaryData", "immutable"}),
    "Secret": frozenset({"data", "stringData", "type", "immutable"}),
}
METADATA = frozenset({"name", "namespace", "labels", "annotations"})

WORKLOAD_SPEC: dict[str, frozenset[str]] = {
    "Deployment": frozenset({"replicas", "selector", "template"}),
    "StatefulSet": frozenset({"replicas", "selector", "template", "serviceName"}),
    "ReplicaSet": frozenset({"replicas", "selector", "template"}),
    "ReplicationController": frozenset({"replicas", "selector", "template"}),
    "DaemonSet": frozenset({"selector", "template"}),
    "Job": frozenset({"template", "parallelism", "selector"}),
    "CronJob": frozenset({"schedule", "timeZone", "concurrencyPolicy", "jobTemplate"}),
}
WORKLOAD_SPEC_HINTS = {
    "volumeClaimTemplates": "create a Nomad host volume or CSI volume per instance and mount it",
    "strategy": "set the group's update block",
    "updateStrategy": "set the group's update block",
}

POD_SPEC = frozenset(
    {
        "containers", "initContainers", "hostNetwork", "hostAliases", "dnsConfig", "dnsPolicy",
        "hostname", "subdomain", "restartPolicy", "enableServiceLinks", "terminationGracePeriodSeconds",
        "securityContext",
    }
)  # fmt: skip
POD_SPEC_HINTS = {
    "volumes": "mount data with Nomad host or CSI volumes, and files with template blocks",
    "serviceAccountName": "give the task a workload identity and the ACL policies it needs",
    "serviceAccount": "give the task a workload identity and the ACL policies it needs",
    "nodeSelector": "use constraint blocks",
    "affinity": "use affinity and constraint blocks",
    "tolerations": "use node pools or constraints",
    "imagePullSecrets": "set auth in the docker driver config",
}

CONTAINER = frozenset(
    {
        "name", "image", "command", "args", "env", "envFrom", "ports", "resources", "workingDir",
        "livenessProbe", "readinessProbe", "startupProbe", "restartPolicy", "securityContext",
    }
)  # fmt: skip
CONTAINER_HINTS = {
    "volumeMounts": "mount volumes with volume_mount, or render files with template blocks",
    "imagePullPolicy": "set force_pull in the docker driver config",
    "lifecycle": "use a poststart or poststop task",
}

# securityContext keys read (container, pod); the others are K002 with these hints.
CONTAINER_SECURITY = frozenset(
    {
        "capabilities",
        "privileged",
        "readOnlyRootFilesystem",
        "runAsUser",
        "runAsGroup",
        "allowPrivilegeEscalation",
    }
)
POD_SECURITY = frozenset({"runAsUser", "runAsGroup", "supplementalGroups", "sysctls"})
SECURITY_HINTS = {
    "runAsNonRoot": "the image's user is kept; set user on the task if it runs as root",
    "seccompProfile": 'set security_opt = ["seccomp=..."] in the docker config',
    "seLinuxOptions": 'set security_opt = ["label=..."] in the docker config',
    "appArmorProfile": 'set security_opt = ["apparmor=..."] in the docker config',
    "fsGroup": "Nomad has no equivalent: give the volume's files the group the task runs with",
}

SERVICE_SPEC = frozenset({"type", "selector", "ports", "clusterIP", "clusterIPs", "externalName"})
SERVICE_PORT = frozenset({"name", "port", "targetPort", "protocol", "nodePort", "appProtocol"})
CONTAINER_PORT = frozenset({"containerPort", "name", "protocol", "hostPort", "hostIP"})

# fieldRef paths whose value is known only at run time, by meaning (see model.EnvVar.runtime).
RUNTIME_FIELDS = {
    "metadata.name": "alloc.name",
    "metadata.uid": "alloc.id",
    "status.podIP": "alloc.ip",
    "status.podIPs": "alloc.ip",
    "status.hostIP": "host.ip",
    "status.hostIPs": "host.ip",
    "spec.nodeName": "node.name",
}
_FIELD_INDEX = re.compile(r"^metadata\.(labels|annotations)\['([^']*)'\]$")
_SERVICE_VAR = re.compile(r"\b([A-Z_][A-Z0-9_]*?)_SERVICE_(HOST|PORT)\b")


def _ns(value: str | None) -> str:
    return value or DEFAULT_NAMESPACE


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): "" if v is None else _scalar(v) for k, v in value.items()}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@record
class _Object:
    kind: str
    name: str
    namespace: str | None
    doc: YamlMap

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"


@record
class _Pod:
    """A workload's Pod template as read, kept for Service matching and env expansion."""

    workload: Workload
    obj: _Object
    labels: dict[str, str]
    spec: YamlMap
    services_env: bool = True
    named_ports: dict[str, list[ContainerPort]] = field(default_factory=dict)
    # Each container with its YAML: the environment is read once every Service is known.
    sources: list[tuple[Container, YamlMap]] = field(default_factory=list)


class _Parser:
    def __init__(self, manifests: Manifests, findings: Findings) -> None:
        self.findings = findings
        self.objects = [self._identify(doc) for doc in manifests.objects]
        self.config_maps: dict[tuple[str, str], YamlMap] = {}
        self.secrets: dict[tuple[str, str], YamlMap] = {}
        self.used_lookups: set[tuple[str, str, str]] = set()
        self.pods: list[_Pod] = []
        self.external: list[Endpoint] = []
        self.named_by_service: set[int] = set()  # ids of container ports a Service port has named
        self._label_index: dict[tuple[str, str, str], list[int]] = {}
        self._indexed_pods = 0
        for obj in self.objects:
            key = (_ns(obj.namespace), obj.name)
            if obj.kind == "ConfigMap":
                self.config_maps[key] = obj.doc
            elif obj.kind == "Secret":
                self.secrets[key] = obj.doc

    # ----- objects -----

    def _identify(self, doc: YamlMap) -> _Object:
        kind = doc.get("kind")
        metadata = doc.get("metadata")
        if not isinstance(kind, str) or not kind:
            raise InputError(doc.where("kind"), "kind must be a non-empty string")
        if not isinstance(metadata, YamlMap) or not isinstance(metadata.get("name"), str):
            where = metadata.pos if isinstance(metadata, YamlMap) else doc.pos
            raise InputError(where, f"{kind} has no metadata.name; expected a named object")
        namespace = metadata.get("namespace")
        return _Object(kind, metadata["name"], namespace if isinstance(namespace, str) else None, doc)

    def _other_keys(
        self, mapping: YamlMap, consumed: frozenset[str], hints: dict[str, str], what: str, subject: str
    ) -> None:
        """One finding per key that is not read: K002 with a hint for known keys, K001 for others."""
        for key in mapping:
            if key in consumed:
                continue
            if key in hints:
                self.findings.add(
                    codes.K8S_NOT_TRANSLATED,
                    mapping.where_key(key),
                    f"{what}.{key} is not translated",
                    hints[key],
                    path=f"{what}.{key}",
                    subject=subject,
                )
            else:
                self.findings.add(
                    codes.K8S_NOT_TRANSLATED if key in _KNOWN_ELSEWHERE else codes.K8S_UNKNOWN_KEY,
                    mapping.where_key(key),
                    f"{what}.{key} is not translated",
                    "set the equivalent in the job by hand if the application needs it",
                    path=f"{what}.{key}",
                    subject=subject,
                )

    def _metadata(self, obj: _Object) -> None:
        """Top-level and metadata keys of the objects that are translated; a kind that is not
        translated is reported once as a whole."""
        if obj.kind not in WORKLOAD_KINDS and obj.kind not in LOOKUP_KINDS:
            return
        metadata = obj.doc["metadata"]
        top_level = TOP_LEVEL | LOOKUP_TOP_LEVEL.get(obj.kind, frozenset())
        self._other_keys(obj.doc, top_level, {}, obj.label, obj.name)
        self._other_keys(metadata, METADATA, {}, f"{obj.label}.metadata", obj.name)
        self._annotations(metadata, f"{obj.label}.metadata", obj.name)

    def _annotations(self, metadata: YamlMap, what: str, subject: str) -> None:
        if isinstance(metadata.get("annotations"), YamlMap) and metadata["annotations"]:
            self.findings.add(
                codes.K8S_METADATA,
                metadata.where_key("annotations"),
                f"annotations of {what.removesuffix('.metadata')} are not translated: "
                + ", ".join(metadata["annotations"]),
                "most annotations configure Kubernetes controllers; set the equivalent job settings by hand",
                path=f"{what}.annotations",
                subject=subject,
            )

    def parse(self) -> list[Workload]:
        workloads: list[Workload] = []
        for obj in self.objects:
            self._metadata(obj)
            if obj.kind in WORKLOAD_KINDS:
                workloads.append(self._workload(obj))
            elif obj.kind in LOOKUP_KINDS:
                continue
            elif obj.kind in NOT_TRANSLATED_KINDS:
                self.findings.add(
                    codes.K8S_KIND_NOT_TRANSLATED,
                    obj.doc.where_key("kind"),
                    f"{obj.label} is not translated",
                    NOT_TRANSLATED_KINDS[obj.kind],
                    path=obj.label,
                    subject=obj.name,
                )
            else:
                self.findings.add(
                    codes.K8S_UNKNOWN_KIND,
                    obj.doc.where_key("kind"),
                    f"{obj.label} ({obj.doc.get('apiVersion')}) is of a kind the tool does not know; ignored",
                    "translate it by hand, or remove it from the input",
                    path=obj.label,
                    subject=obj.name,
                )
        for obj in self.objects:
            if obj.kind == "Service":
                self._service(obj)
        for pod in self.pods:
            self._environment(pod)
        self._unused_lookups()
        return workloads

    # ----- workloads -----

    def _workload(self, obj: _Object) -> Workload:
        doc = obj.doc
        spec = doc.get("spec")
        if not isinstance(spec, YamlMap):
            raise InputError(doc.where("spec") if "spec" in doc else doc.pos, f"{obj.label} has no spec")
        workload = Workload(
            name=obj.name,
            position=doc.pos,
            containers=[],
            kind=f"Kubernetes {obj.kind}",
            namespace=obj.namespace,
            labels=_str_map(doc["metadata"].get("labels")),
        )
        if obj.namespace:
            self.findings.add(
                codes.K8S_NAMESPACE,
                doc["metadata"].where("namespace"),
                f"{obj.label} runs in Nomad namespace {obj.namespace!r}",
                f"create it first: nomad namespace apply {obj.namespace}",
                path=f"{obj.label}.metadata.namespace",
                subject=obj.name,
            )
        template, what = self._pod_template(obj, spec, workload)
        job_type = WORKLOAD_KINDS[obj.kind]
        pod_spec = template.get("spec")
        if not isinstance(pod_spec, YamlMap):
            raise InputError(template.pos, f"{obj.label} has no Pod spec")
        workload.job_type = job_type or self._pod_job_type(obj, pod_spec)
        if obj.kind == "DaemonSet":
            workload.count = 1  # a system job runs one allocation per client
        pod_meta = template.get("metadata") if obj.kind != "Pod" else None
        labels = _str_map(doc["metadata"].get("labels"))
        if isinstance(pod_meta, YamlMap):
            labels = _str_map(pod_meta.get("labels"))
            self._other_keys(
                pod_meta, frozenset({"labels", "annotations", "name"}), {}, f"{what}.metadata", obj.name
            )
            self._annotations(pod_meta, f"{what}.metadata", obj.name)
        pod = _Pod(workload, obj, labels, pod_spec)
        self._pod_spec(pod, pod_spec, f"{what}.spec")
        self.pods.append(pod)
        return workload

    def _pod_template(self, obj: _Object, spec: YamlMap, workload: Workload) -> tuple[YamlMap, str]:
        """The Pod template of any workload kind, after reading the kind's own spec keys."""
        if obj.kind == "Pod":
            return obj.doc, obj.label
        consumed = WORKLOAD_SPEC[obj.kind]
        self._other_keys(spec, consumed, {**WORKLOAD_SPEC_HINTS, **_JOB_HINTS}, f"{obj.label}.spec", obj.name)
        self._job_spec_findings(obj, spec)
        if isinstance(spec.get("replicas"), int):
            workload.count, workload.count_position = spec["replicas"], spec.where("replicas")
        if obj.kind == "StatefulSet" and isinstance(spec.get("serviceName"), str):
            governing = spec["serviceName"]
            workload.instance_service = governing
            self.findings.add(
                codes.K8S_HEADLESS,
                spec.where("serviceName"),
                f"StatefulSet {obj.name!r}: stable instance identities have no Nomad equivalent; per-Pod "
                f"DNS names ({obj.name}-0.{governing} and the like) lead to the instance of that allocation "
                "index where names are served",
                "an instance keeps its index when Nomad replaces it, but not its data unless its volume "
                "follows it (per_alloc volumes)",
                path=f"{obj.label}.spec.serviceName",
                subject=obj.name,
            )
        if obj.kind == "Job" and isinstance(spec.get("parallelism"), int):
            workload.count, workload.count_position = spec["parallelism"], spec.where("parallelism")
        if obj.kind == "CronJob":
            return self._cron_job(obj, spec, workload)
        template = spec.get("template")
        if not isinstance(template, YamlMap):
            raise InputError(
                spec.where("template") if "template" in spec else spec.pos, f"{obj.label} has no template"
            )
        return template, f"{obj.label}.spec.template"

    def _cron_job(self, obj: _Object, spec: YamlMap, workload: Workload) -> tuple[YamlMap, str]:
        schedule = spec.get("schedule")
        if not isinstance(schedule, str):
            raise InputError(
                spec.where("schedule") if "schedule" in spec else spec.pos, "CronJob has no schedule"
            )
        workload.schedule = Schedule(
            crons=[schedule],
            position=spec.where("schedule"),
            prohibit_overlap=spec.get("concurrencyPolicy") == "Forbid",
            time_zone=spec.get("timeZone") if isinstance(spec.get("timeZone"), str) else None,
        )
        self.findings.add(
            codes.K8S_PERIODIC,
            spec.where("schedule"),
            f"CronJob {obj.name!r} became a periodic batch job (crons = [{schedule!r}])",
            path=f"{obj.label}.spec.schedule",
            subject=obj.name,
        )
        if spec.get("concurrencyPolicy") == "Replace":
            self.findings.add(
                codes.K8S_JOB_SETTINGS,
                spec.where("concurrencyPolicy"),
                "concurrencyPolicy: Replace has no Nomad equivalent; runs may overlap",
                "use prohibit_overlap (Forbid) or stop the previous run by hand",
                path=f"{obj.label}.spec.concurrencyPolicy",
                subject=obj.name,
            )
        job_template = spec.get("jobTemplate")
        job_spec = job_template.get("spec") if isinstance(job_template, YamlMap) else None
        if not isinstance(job_spec, YamlMap) or not isinstance(job_spec.get("template"), YamlMap):
            raise InputError(
                spec.where("jobTemplate") if "jobTemplate" in spec else spec.pos,
                "CronJob has no jobTemplate.spec.template",
            )
        assert isinstance(job_template, YamlMap)
        what = f"{obj.label}.spec.jobTemplate"
        self._other_keys(job_template, frozenset({"spec", "metadata"}), {}, what, obj.name)
        self._other_keys(job_spec, WORKLOAD_SPEC["Job"], _JOB_HINTS, f"{what}.spec", obj.name)
        self._job_spec_findings(obj, job_spec)
        if isinstance(job_spec.get("parallelism"), int):
            workload.count, workload.count_position = job_spec["parallelism"], job_spec.where("parallelism")
        return job_spec["template"], f"{what}.spec.template"

    def _job_spec_findings(self, obj: _Object, spec: YamlMap) -> None:
        if obj.kind == "Job" and "parallelism" in spec:
            self.findings.add(
                codes.K8S_JOB_SETTINGS,
                spec.where("parallelism"),
                f"parallelism {spec['parallelism']} became the group's count: that many allocations run once",
                path=f"{obj.label}.spec.parallelism",
                subject=obj.name,
            )

    def _pod_job_type(self, obj: _Object, pod_spec: YamlMap) -> str:
        policy = pod_spec.get("restartPolicy", "Always")
        job_type = "service" if policy == "Always" else "batch"
        self.findings.add(
            codes.K8S_RESTART_POLICY,
            pod_spec.where("restartPolicy") if "restartPolicy" in pod_spec else obj.doc.pos,
            f"bare Pod {obj.name!r} with restartPolicy {policy} became a {job_type} job",
            path=f"{obj.label}.spec.restartPolicy",
            subject=obj.name,
        )
        return job_type

    # ----- Pod spec -----

    def _pod_spec(self, pod: _Pod, spec: YamlMap, what: str) -> None:
        workload, name = pod.workload, pod.obj.name
        self._other_keys(spec, POD_SPEC, POD_SPEC_HINTS, what, name)
        if isinstance(spec.get("securityContext"), YamlMap):
            self._other_keys(
                spec["securityContext"], POD_SECURITY, SECURITY_HINTS, f"{what}.securityContext", name
            )
        if spec.get("hostNetwork") is True:
            workload.network_mode = "host"
        pod.services_env = spec.get("enableServiceLinks", True) is not False
        init = spec.get("initContainers")
        if isinstance(init, YamlSeq):
            for i, item in enumerate(init):
                if isinstance(item, YamlMap):
                    workload.containers.append(
                        self._container(pod, item, f"{what}.initContainers[{i}]", True)
                    )
        main = spec.get("containers")
        if not isinstance(main, YamlSeq) or not main:
            raise InputError(
                spec.where("containers") if "containers" in spec else spec.pos,
                f"{pod.obj.label} has no containers",
            )
        for i, item in enumerate(main):
            if isinstance(item, YamlMap):
                workload.containers.append(self._container(pod, item, f"{what}.containers[{i}]", False))
        grace = spec.get("terminationGracePeriodSeconds")
        if isinstance(grace, int) and not isinstance(grace, bool) and grace >= 0:
            for container in workload.containers:
                container.stop_timeout = float(grace)
                container.stop_position = spec.where_key("terminationGracePeriodSeconds")
        self._host_aliases(pod, spec, what)
        self._dns(pod, spec, what)
        for key in ("hostname", "subdomain"):
            if key in spec:
                self.findings.add(
                    codes.K8S_HOSTNAME,
                    spec.where_key(key),
                    f"{key} {spec[key]!r} is not translated: Nomad gives allocations no DNS name",
                    "reach the instances through service discovery",
                    path=f"{what}.{key}",
                    subject=name,
                )
        restart = spec.get("restartPolicy")
        if pod.obj.kind != "Pod" and isinstance(restart, str) and restart != "Always":
            self.findings.add(
                codes.K8S_RESTART_POLICY,
                spec.where("restartPolicy"),
                f"restartPolicy {restart}: Nomad restarts failed tasks of a {workload.job_type} job by its "
                "restart block, and reschedules failed allocations",
                "set the group's restart and reschedule blocks if the defaults do not fit",
                path=f"{what}.restartPolicy",
                subject=name,
            )

    def _first_main(self, workload: Workload) -> Container:
        return next((c for c in workload.containers if c.lifecycle is None), workload.containers[0])

    def _host_aliases(self, pod: _Pod, spec: YamlMap, what: str) -> None:
        aliases = spec.get("hostAliases")
        if not isinstance(aliases, YamlSeq) or not pod.workload.containers:
            return
        # The group shares one /etc/hosts, written by the first task that starts: prestart tasks
        # start first, so the entries go on the first container in start order.
        first = pod.workload.containers[0]
        for i, entry in enumerate(aliases):
            if not isinstance(entry, YamlMap):
                continue
            hostnames = entry.get("hostnames")
            for host in hostnames if isinstance(hostnames, list) else []:
                first.extra_hosts.append((str(host), str(entry.get("ip", "")), aliases.where(i)))
            self._other_keys(
                entry, frozenset({"ip", "hostnames"}), {}, f"{what}.hostAliases[{i}]", pod.obj.name
            )

    def _dns(self, pod: _Pod, spec: YamlMap, what: str) -> None:
        name = pod.obj.name
        policy = spec.get("dnsPolicy")
        if isinstance(policy, str) and policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
            self.findings.add(
                codes.K8S_DNS,
                spec.where("dnsPolicy"),
                f"dnsPolicy {policy}: Nomad has no cluster DNS; the tasks use the client's resolver, and "
                "service names are rewritten through service discovery",
                "use Consul DNS forwarding on the clients for name lookups that are not rewritten",
                path=f"{what}.dnsPolicy",
                subject=name,
            )
        config = spec.get("dnsConfig")
        if not isinstance(config, YamlMap):
            return
        servers = [str(s) for s in config.get("nameservers") or []]
        searches = [str(s) for s in config.get("searches") or []]
        options = []
        for option in config.get("options") or []:
            if isinstance(option, dict) and "name" in option:
                value = option.get("value")
                options.append(f"{option['name']}:{value}" if value is not None else str(option["name"]))
        self._other_keys(
            config, frozenset({"nameservers", "searches", "options"}), {}, f"{what}.dnsConfig", name
        )
        for container in pod.workload.containers:
            container.dns_servers.extend(servers)
            container.dns_searches.extend(searches)
            container.dns_options.extend(options)
            container.dns_position = spec.where_key("dnsConfig")

    # ----- containers -----

    def _container(self, pod: _Pod, item: YamlMap, what: str, init: bool) -> Container:
        name = item.get("name")
        if not isinstance(name, str):
            raise InputError(item.pos, "container has no name")
        image = item.get("image")
        if not isinstance(image, str) or not image:
            self.findings.add(
                codes.K8S_NO_IMAGE,
                item.pos,
                f"container {name!r} names no image",
                "set the image in the job",
                path=what,
                subject=pod.obj.name,
            )
            image = name
        container = Container(name=name, position=item.pos, image=image)
        consumed = CONTAINER if init else CONTAINER - {"restartPolicy"}
        self._other_keys(item, consumed, CONTAINER_HINTS, what, pod.obj.name)
        if init:
            sidecar = item.get("restartPolicy") == "Always"
            container.lifecycle = "sidecar" if sidecar else "init"
            self.findings.add(
                codes.K8S_SIDECAR,
                item.pos,
                f"init container {name!r} became a prestart task"
                + (" with sidecar = true (it keeps running)" if sidecar else "")
                + ("" if sidecar else "; Nomad starts prestart tasks together, not one after another"),
                path=what,
                subject=pod.obj.name,
            )
        for key, attr in (("command", "entrypoint"), ("args", "command")):
            value = item.get(key)
            if isinstance(value, list):
                setattr(container, attr, [_scalar(v) for v in value])
                setattr(container, f"{attr}_position", item.where(key))
        if isinstance(item.get("workingDir"), str):
            container.working_dir = item["workingDir"]
        self._security(pod, container, item, what)
        self._ports(pod, container, item, what)
        self._resources(pod, container, item, what)
        self._probes(pod, container, item, what)
        pod.sources.append((container, item))
        return container

    def _security(self, pod: _Pod, container: Container, item: YamlMap, what: str) -> None:
        """Container securityContext over the Pod's: user, capabilities, privileged, read-only root,
        no-new-privileges, supplementary groups and sysctls, as Docker settings."""
        pod_context = pod.spec.get("securityContext") if isinstance(pod.spec, YamlMap) else None
        pod_context = pod_context if isinstance(pod_context, YamlMap) else YamlMap(item.pos)
        own = item.get("securityContext")
        own = own if isinstance(own, YamlMap) else YamlMap(item.pos)
        if "securityContext" in item:
            self._other_keys(own, CONTAINER_SECURITY, SECURITY_HINTS, f"{what}.securityContext", pod.obj.name)

        def setting(key: str, value: Any, source: YamlMap, source_key: str) -> None:
            container.settings[key] = value
            container.settings_positions[key] = source.where_key(source_key)

        user = own.get("runAsUser", pod_context.get("runAsUser"))
        group = own.get("runAsGroup", pod_context.get("runAsGroup"))
        if isinstance(user, int) and not isinstance(user, bool):
            container.user = (
                f"{user}:{group}" if isinstance(group, int) and not isinstance(group, bool) else str(user)
            )
        capabilities = own.get("capabilities")
        if isinstance(capabilities, YamlMap):
            for key, setting_name in (("add", "cap_add"), ("drop", "cap_drop")):
                if isinstance(capabilities.get(key), list):
                    setting(setting_name, [str(c) for c in capabilities[key]], capabilities, key)
        if own.get("privileged") is True:
            setting("privileged", True, own, "privileged")
        if own.get("readOnlyRootFilesystem") is True:
            setting("read_only", True, own, "readOnlyRootFilesystem")
        if own.get("allowPrivilegeEscalation") is False:
            setting("security_opt", ["no-new-privileges"], own, "allowPrivilegeEscalation")
        groups = pod_context.get("supplementalGroups")
        if isinstance(groups, list) and groups:
            setting("group_add", [str(g) for g in groups], pod_context, "supplementalGroups")
        sysctls = pod_context.get("sysctls")
        if isinstance(sysctls, list) and sysctls:
            read = {str(s.get("name")): str(s.get("value")) for s in sysctls if isinstance(s, dict)}
            setting("sysctls", read, pod_context, "sysctls")

    def _probes(self, pod: _Pod, container: Container, item: YamlMap, what: str) -> None:
        """Probes become checks (the mapper attaches them); one that cannot be read is K019."""
        for key, purpose in PROBES.items():
            probe = item.get(key)
            if not isinstance(probe, YamlMap):
                continue
            result = parse_probe(probe, purpose, item.where_key(key))
            self._other_keys(probe, PROBE_KEYS, PROBE_HINTS, f"{what}.{key}", pod.obj.name)
            for handler, keys in HANDLER_KEYS.items():
                if isinstance(probe.get(handler), YamlMap):
                    self._other_keys(probe[handler], keys, {}, f"{what}.{key}.{handler}", pod.obj.name)
            if result.check is not None:
                container.checks.append(result.check)
                continue
            self.findings.add(
                codes.K8S_PROBE,
                item.where_key(key),
                f"{key} of {container.name!r} is not translated: {result.problem}",
                "add a check block to the service by hand",
                path=f"{what}.{key}",
                subject=pod.obj.name,
            )

    def _ports(self, pod: _Pod, container: Container, item: YamlMap, what: str) -> None:
        ports = item.get("ports")
        if not isinstance(ports, YamlSeq):
            return
        for i, entry in enumerate(ports):
            if not isinstance(entry, YamlMap) or not isinstance(entry.get("containerPort"), int):
                continue
            port = ContainerPort(
                target=entry["containerPort"],
                position=ports.where(i),
                protocol=str(entry.get("protocol", "TCP")).lower(),
                name=entry.get("name") if isinstance(entry.get("name"), str) else None,
                host_ip=entry.get("hostIP") if isinstance(entry.get("hostIP"), str) else None,
            )
            self._other_keys(entry, CONTAINER_PORT, {}, f"{what}.ports[{i}]", pod.obj.name)
            host_port = entry.get("hostPort")
            if isinstance(host_port, int) and pod.workload.network_mode != "host":
                port.published, port.keep_static = str(host_port), True
                self.findings.add(
                    codes.K8S_HOST_PORT,
                    entry.where_key("hostPort"),
                    f"hostPort {host_port} became static = {host_port}: one allocation per client can use it",
                    "drop it and use service discovery, unless clients outside Nomad need the fixed port",
                    path=f"{what}.ports[{i}].hostPort",
                    subject=pod.obj.name,
                )
            container.ports.append(port)
            if port.name:
                pod.named_ports.setdefault(port.name, []).append(port)

    def _resources(self, pod: _Pod, container: Container, item: YamlMap, what: str) -> None:
        resources = item.get("resources")
        if not isinstance(resources, YamlMap):
            return
        self._other_keys(resources, frozenset({"requests", "limits"}), {}, f"{what}.resources", pod.obj.name)
        requests = _section(resources, "requests")
        limits = _section(resources, "limits")
        container.resources_position = resources.pos
        cpu = millicores(requests.get("cpu")) or millicores(limits.get("cpu"))
        memory = byte_count(requests.get("memory")) or byte_count(limits.get("memory"))
        memory_limit = byte_count(limits.get("memory"))
        container.cpu_millicores = cpu
        container.memory_bytes = memory
        if memory_limit is not None and memory is not None and memory_limit > memory:
            container.memory_limit_bytes = memory_limit
        for section in (requests, limits):
            for key in section:
                if key not in ("cpu", "memory"):
                    self.findings.add(
                        codes.K8S_NOT_TRANSLATED,
                        section.where_key(key),
                        f"resource {key!r} of {container.name!r} is not translated",
                        "use a device block for GPUs; set other resources by hand",
                        path=f"{what}.resources.{key}",
                        subject=pod.obj.name,
                    )
        if "cpu" in limits and "cpu" in requests and millicores(limits["cpu"]) != cpu:
            self.findings.add(
                codes.K8S_CPU,
                limits.where("cpu"),
                f"CPU limit {limits['cpu']} of {container.name!r} is not enforced: Nomad's cpu is a share",
                "set cpu_hard_limit = true in the task's docker config if a hard cap is needed",
                path=f"{what}.resources.limits.cpu",
                subject=pod.obj.name,
            )

    # ----- Services -----

    def _selected(self, namespace: str, selector: dict[str, str]) -> list[_Pod]:
        """Pods in ``namespace`` whose labels include ``selector``, in input order.

        An index of (namespace, label, value) keeps matching linear in the number of Services.
        """
        for index in range(self._indexed_pods, len(self.pods)):
            pod = self.pods[index]
            for key, value in pod.labels.items():
                self._label_index.setdefault((_ns(pod.obj.namespace), key, value), []).append(index)
        self._indexed_pods = len(self.pods)
        candidates: set[int] | None = None
        for key, value in selector.items():
            found = set(self._label_index.get((namespace, key, value), ()))
            candidates = found if candidates is None else candidates & found
        return [self.pods[i] for i in sorted(candidates or ())]

    def _service(self, obj: _Object) -> None:
        spec = obj.doc.get("spec")
        if not isinstance(spec, YamlMap):
            raise InputError(obj.doc.pos, f"{obj.label} has no spec")
        what = f"{obj.label}.spec"
        self._other_keys(spec, SERVICE_SPEC, _SERVICE_HINTS, what, obj.name)
        kind = spec.get("type", "ClusterIP")
        endpoint = Endpoint(
            name=obj.name,
            position=obj.doc.pos,
            kind="service",
            hostnames=_dns_names(obj.name, _ns(obj.namespace)),
            namespace=obj.namespace,
        )
        if kind == "ExternalName":
            self._external_name(obj, spec, endpoint)
            return
        selector = _str_map(spec.get("selector"))
        if not selector:
            self.findings.add(
                codes.K8S_NO_SELECTOR,
                spec.where_key("selector") if "selector" in spec else obj.doc.pos,
                f"Service {obj.name!r} has no selector: it points at endpoints managed by hand; "
                "nothing is registered",
                "register the addresses in the service catalog, or use a template with fixed addresses",
                path=f"{what}.selector",
                subject=obj.name,
            )
            return
        matches = self._selected(_ns(obj.namespace), selector)
        if not matches:
            self.findings.add(
                codes.K8S_SELECTOR_NO_MATCH,
                spec.where("selector"),
                f"Service {obj.name!r} selects no workload in the input ("
                + ", ".join(f"{k}={v}" for k, v in selector.items())
                + "); nothing is registered",
                "add the workload to the input, or register the service by hand",
                path=f"{what}.selector",
                subject=obj.name,
            )
            return
        if len(matches) > 1:
            self.findings.add(
                codes.K8S_MULTIPLE_MATCH,
                spec.where("selector"),
                f"Service {obj.name!r} selects {', '.join(p.obj.label for p in matches)}; each registers it",
                path=f"{what}.selector",
                subject=obj.name,
            )
        self._type_findings(obj, spec, kind)
        for pod in matches:
            copy = Endpoint(**{**endpoint.__dict__, "hostnames": list(endpoint.hostnames), "ports": []})
            self._service_ports(obj, spec, pod, copy, kind)
            pod.workload.endpoints.append(copy)

    def _type_findings(self, obj: _Object, spec: YamlMap, kind: Any) -> None:
        what = f"{obj.label}.spec"
        if spec.get("clusterIP") == "None":
            self.findings.add(
                codes.K8S_HEADLESS,
                spec.where("clusterIP"),
                f"headless Service {obj.name!r} became an ordinary registration; per-Pod DNS names "
                f"({obj.name}-0.{obj.name} and the like) have no equivalent",
                "address instances through service discovery, which returns every instance",
                path=f"{what}.clusterIP",
                subject=obj.name,
            )
        if kind == "LoadBalancer":
            self.findings.add(
                codes.K8S_LOAD_BALANCER,
                spec.where("type"),
                f"LoadBalancer Service {obj.name!r} is registered like a ClusterIP one; "
                "nothing provisions an external load balancer",
                "run a load balancer job that reads the service catalog (Traefik, Fabio, HAProxy or "
                "NGINX with consul-template) or point a cloud load balancer at the clients",
                path=f"{what}.type",
                subject=obj.name,
            )
        elif kind not in ("ClusterIP", "NodePort"):
            self.findings.add(
                codes.K8S_UNKNOWN_KEY,
                spec.where("type"),
                f"Service type {kind!r} is unknown; registered like a ClusterIP Service",
                path=f"{what}.type",
                subject=obj.name,
            )

    def _service_ports(self, obj: _Object, spec: YamlMap, pod: _Pod, endpoint: Endpoint, kind: Any) -> None:
        ports = spec.get("ports")
        if not isinstance(ports, YamlSeq):
            return
        for i, entry in enumerate(ports):
            if not isinstance(entry, YamlMap) or not isinstance(entry.get("port"), int):
                continue
            what = f"{obj.label}.spec.ports[{i}]"
            self._other_keys(entry, SERVICE_PORT, {}, what, obj.name)
            target = self._target(obj, pod, entry, what)
            if target is None:
                continue
            name = entry.get("name") if isinstance(entry.get("name"), str) else None
            protocol = str(entry.get("protocol", "TCP")).lower()
            endpoint.ports.append(EndpointPort(entry["port"], target.target, ports.where(i), name, protocol))
            if name and id(target) not in self.named_by_service:
                # The Service's port name is how clients know the port: it becomes the Nomad label
                # (the first Service that names the port wins).
                target.name = name
                self.named_by_service.add(id(target))
            if isinstance(entry.get("appProtocol"), str) and not target.app_protocol:
                target.app_protocol = entry["appProtocol"]
            if kind == "NodePort":
                self._node_port(obj, entry, target, what)

    def _target(self, obj: _Object, pod: _Pod, entry: YamlMap, what: str) -> ContainerPort | None:
        """The container port a Service port reaches: by name among the Pod's named ports, or by number."""
        target = entry.get("targetPort", entry["port"])
        if isinstance(target, str) and not target.isdigit():
            found = pod.named_ports.get(target)
            if not found:
                self.findings.add(
                    codes.K8S_TARGET_PORT,
                    entry.where("targetPort"),
                    f"targetPort {target!r} of Service {obj.name!r} names no container port of "
                    f"{pod.obj.label}; the port is not registered",
                    "name the container port, or give targetPort as a number",
                    path=f"{what}.targetPort",
                    subject=obj.name,
                )
                return None
            return found[0]
        number = int(target)
        for container in pod.workload.containers:
            for port in container.ports:
                if port.target == number:
                    return port
        # Kubernetes forwards to undeclared container ports too: declare it on the main container.
        port = ContainerPort(number, entry.where("targetPort") if "targetPort" in entry else entry.pos)
        self._first_main(pod.workload).ports.append(port)
        return port

    def _node_port(self, obj: _Object, entry: YamlMap, target: ContainerPort, what: str) -> None:
        node_port = entry.get("nodePort")
        if isinstance(node_port, int):
            target.published, target.keep_static = str(node_port), True
            message = f"NodePort {node_port} became static = {node_port} on the clients running {obj.name!r}"
        else:
            message = f"NodePort Service {obj.name!r} names no nodePort; the port is dynamic"
        self.findings.add(
            codes.K8S_NODE_PORT,
            entry.where_key("nodePort") if "nodePort" in entry else entry.pos,
            message,
            "Nomad listens only on clients that run an allocation; run it as a system job or put a load "
            "balancer in front",
            path=f"{what}.nodePort",
            subject=obj.name,
        )

    def _external_name(self, obj: _Object, spec: YamlMap, endpoint: Endpoint) -> None:
        external = spec.get("externalName")
        if not isinstance(external, str) or not external:
            raise InputError(spec.where("type"), f"ExternalName Service {obj.name!r} has no externalName")
        endpoint.kind = "external"
        endpoint.external_name = external
        ports = spec.get("ports")
        if not isinstance(ports, YamlSeq):
            ports = YamlSeq(spec.pos)
        for i, entry in enumerate(ports):
            if isinstance(entry, YamlMap) and isinstance(entry.get("port"), int):
                endpoint.ports.append(
                    EndpointPort(entry["port"], entry["port"], ports.where(i), entry.get("name"))
                )
        self.external.append(endpoint)
        self.findings.add(
            codes.K8S_EXTERNAL_NAME,
            spec.where("externalName"),
            f"ExternalName Service {obj.name!r}: references to it are replaced by {external!r}",
            path=f"{obj.label}.spec.externalName",
            subject=obj.name,
        )

    # ----- environment -----

    def _environment(self, pod: _Pod) -> None:
        for container, item in pod.sources:
            what = f"{pod.obj.label}:{container.name}"
            env: dict[str, EnvVar] = {}
            self._env_from(pod, container, item, env, what)
            links = self._service_links(pod, container, item) if pod.services_env else {}
            self._env(pod, container, item, env, links, what)
            for name, var in links.items():
                env.setdefault(name, var)
            self._expand_command(pod, container, {**links, **env})
            container.environment = list(env.values())

    def _env_from(
        self, pod: _Pod, container: Container, item: YamlMap, env: dict[str, EnvVar], what: str
    ) -> None:
        sources = item.get("envFrom")
        if not isinstance(sources, YamlSeq):
            return
        namespace = _ns(pod.obj.namespace)
        for i, source in enumerate(sources):
            if not isinstance(source, YamlMap):
                continue
            pos = sources.where(i)
            prefix = str(source.get("prefix") or "")
            self._other_keys(
                source,
                frozenset({"prefix", "configMapRef", "secretRef"}),
                {},
                f"{what}.envFrom[{i}]",
                pod.obj.name,
            )
            ref = source.get("configMapRef")
            if isinstance(ref, YamlMap) and isinstance(ref.get("name"), str):
                data = self._config_map(namespace, ref["name"], None, pos, ref.get("optional") is True, pod)
                for key, value in (data or {}).items():
                    env[prefix + key] = EnvVar(prefix + key, value, pos)
            ref = source.get("secretRef")
            if isinstance(ref, YamlMap) and isinstance(ref.get("name"), str):
                secret = self.secrets.get((namespace, ref["name"]))
                self.used_lookups.add(("Secret", namespace, ref["name"]))
                keys = list(_secret_keys(secret)) if secret is not None else ["*"]
                for key in keys:
                    name = prefix + key if key != "*" else prefix + "*"
                    env[name] = EnvVar(name, "", pos, secret=SecretRef(ref["name"], key))
                self._secret_finding(pod, ref["name"], keys, pos)

    def _env(
        self,
        pod: _Pod,
        container: Container,
        item: YamlMap,
        env: dict[str, EnvVar],
        links: dict[str, EnvVar],
        what: str,
    ) -> None:
        entries = item.get("env")
        if not isinstance(entries, YamlSeq):
            return
        for i, entry in enumerate(entries):
            if not isinstance(entry, YamlMap) or not isinstance(entry.get("name"), str):
                continue
            name, pos = entry["name"], entries.where(i)
            self._other_keys(
                entry, frozenset({"name", "value", "valueFrom"}), {}, f"{what}.env[{i}]", pod.obj.name
            )
            source = entry.get("valueFrom")
            if isinstance(source, YamlMap):
                var = self._value_from(pod, name, source, pos)
                if var is None:
                    env.pop(name, None)
                else:
                    env[name] = var
                continue
            raw = _scalar(entry.get("value")) if entry.get("value") is not None else ""
            value = self._expand(raw, {**links, **env}, pod, entry.where("value"), f"env {name}")
            env[name] = EnvVar(name, value, entry.where("value") if "value" in entry else pos)

    def _value_from(self, pod: _Pod, name: str, source: YamlMap, pos: Position) -> EnvVar | None:
        namespace = _ns(pod.obj.namespace)
        subject = pod.obj.name
        field_ref = source.get("fieldRef")
        if isinstance(field_ref, YamlMap):
            return self._field_ref(pod, name, str(field_ref.get("fieldPath", "")), pos)
        ref = source.get("configMapKeyRef")
        if isinstance(ref, YamlMap) and isinstance(ref.get("name"), str):
            key = str(ref.get("key", ""))
            data = self._config_map(namespace, ref["name"], key, pos, ref.get("optional") is True, pod)
            return EnvVar(name, data[key], pos) if data is not None and key in data else None
        ref = source.get("secretKeyRef")
        if isinstance(ref, YamlMap) and isinstance(ref.get("name"), str):
            key = str(ref.get("key", ""))
            self.used_lookups.add(("Secret", namespace, ref["name"]))
            self._secret_finding(pod, ref["name"], [key], pos)
            return EnvVar(name, "", pos, secret=SecretRef(ref["name"], key))
        what = "resourceFieldRef" if "resourceFieldRef" in source else ", ".join(source) or "valueFrom"
        self.findings.add(
            codes.K8S_FIELD_REF_UNSUPPORTED,
            pos,
            f"{name} comes from {what}, which has no Nomad equivalent; it was left out",
            "read the task's limits from NOMAD_CPU_LIMIT and NOMAD_MEMORY_LIMIT, or set the value by hand",
            subject=subject,
        )
        return None

    def _field_ref(self, pod: _Pod, name: str, path: str, pos: Position) -> EnvVar | None:
        subject = pod.obj.name
        literal: str | None = None
        if path == "metadata.namespace":
            literal = _ns(pod.obj.namespace)
        elif path in ("spec.serviceAccountName", "spec.serviceAccount"):
            literal = _scalar(
                pod.spec.get("serviceAccountName") or pod.spec.get("serviceAccount") or "default"
            )
        elif match := _FIELD_INDEX.match(path):
            values = pod.labels if match[1] == "labels" else self._pod_annotations(pod)
            literal = values.get(match[2], "")
        if literal is not None:
            self.findings.add(
                codes.K8S_FIELD_REF,
                pos,
                f"{name} (fieldRef {path}) is known at translation time: {literal!r}",
                subject=subject,
            )
            return EnvVar(name, literal, pos)
        if path in RUNTIME_FIELDS:
            meaning = RUNTIME_FIELDS[path]
            self.findings.add(
                codes.K8S_FIELD_REF,
                pos,
                f"{name} (fieldRef {path}) comes from Nomad's runtime environment ({meaning})",
                "under bridge networking the address is the client's: other allocations cannot reach the "
                "allocation's own namespace address"
                if meaning.endswith(".ip")
                else "",
                subject=subject,
            )
            return EnvVar(name, "", pos, runtime=meaning)
        self.findings.add(
            codes.K8S_FIELD_REF_UNSUPPORTED,
            pos,
            f"{name} (fieldRef {path}) has no Nomad equivalent; it was left out",
            "set the value by hand",
            subject=subject,
        )
        return None

    def _pod_annotations(self, pod: _Pod) -> dict[str, str]:
        template = pod.obj.doc if pod.obj.kind == "Pod" else None
        for candidate in (template, *_templates(pod.obj.doc)):
            if isinstance(candidate, YamlMap) and isinstance(candidate.get("metadata"), YamlMap):
                return _str_map(candidate["metadata"].get("annotations"))
        return {}

    def _config_map(
        self, namespace: str, name: str, key: str | None, pos: Position, optional: bool, pod: _Pod
    ) -> dict[str, str] | None:
        self.used_lookups.add(("ConfigMap", namespace, name))
        doc = self.config_maps.get((namespace, name))
        data = _str_map(doc.get("data")) if doc is not None else None
        if data is not None and (key is None or key in data):
            self.findings.add(
                codes.K8S_CONFIGMAP_INLINE,
                pos,
                f"ConfigMap {name!r}" + (f" key {key!r}" if key else "") + " was written inline",
                subject=pod.obj.name,
            )
            return data
        missing = f"ConfigMap {name!r}" if data is None else f"key {key!r} of ConfigMap {name!r}"
        self.findings.add(
            codes.K8S_CONFIGMAP_MISSING,
            pos,
            f"{missing} is not in the input" + ("; it is optional and was left out" if optional else ""),
            "add the ConfigMap to the input, or set the values in the job by hand",
            subject=pod.obj.name,
        )
        return None

    def _secret_finding(self, pod: _Pod, name: str, keys: list[str], pos: Position) -> None:
        shown = "every key" if keys == ["*"] else ", ".join(keys)
        self.findings.add(
            codes.K8S_SECRET_VARIABLE,
            pos,
            f"Secret {name!r} ({shown}) is read from Nomad Variables, never written into the job",
            "create the variable before running the job; the report lists the path and keys",
            subject=pod.obj.name,
        )

    def _service_links(self, pod: _Pod, container: Container, item: YamlMap) -> dict[str, EnvVar]:
        """``<SVC>_SERVICE_HOST``/``_PORT`` that the container uses become ordinary env vars naming the
        Service, so that discovery rewrites them like any other reference."""
        env: dict[str, EnvVar] = {}
        values = [
            _scalar(e.get("value")) for e in item.get("env") or [] if isinstance(e, dict) and "value" in e
        ]
        text = " ".join([*(container.entrypoint or []), *(container.command or []), *values])
        namespace = _ns(pod.obj.namespace)
        for match in sorted(set(_SERVICE_VAR.findall(text))):
            prefix = match[0]
            service = self._service_by_env(prefix, namespace)
            if service is None:
                continue
            ports = service.doc["spec"].get("ports") if isinstance(service.doc.get("spec"), YamlMap) else None
            first = (
                ports[0].get("port")
                if isinstance(ports, YamlSeq) and ports and isinstance(ports[0], YamlMap)
                else None
            )
            links = {f"{prefix}_SERVICE_HOST": service.name}
            if isinstance(first, int):
                links[f"{prefix}_SERVICE_PORT"] = str(first)
            for name, value in links.items():
                env[name] = EnvVar(name, value, container.position)
                self.findings.add(
                    codes.K8S_SERVICE_ENV,
                    container.position,
                    f"{container.name!r} uses {name}, which Kubernetes injects for Service {service.name!r}; "
                    "it was added so that service discovery renders it",
                    subject=pod.obj.name,
                )
        return env

    def _service_by_env(self, prefix: str, namespace: str) -> _Object | None:
        for obj in self.objects:
            if (
                obj.kind == "Service"
                and _ns(obj.namespace) == namespace
                and obj.name.upper().replace("-", "_") == prefix
            ):
                return obj
        return None

    def _expand(self, text: str, env: dict[str, EnvVar], pod: _Pod, pos: Position, what: str) -> str:
        return self._expand_all([text], env, pod, pos, what)[0]

    def _expand_all(
        self, texts: list[str], env: dict[str, EnvVar], pod: _Pod, pos: Position, what: str
    ) -> list[str]:
        """Expand each text; one finding for what was expanded, one for what stays unexpanded."""

        def lookup(name: str) -> str | None:
            var = env.get(name)
            if var is None or var.runtime or var.secret:
                return None
            return var.value

        values: list[str] = []
        used: list[str] = []
        missing: list[str] = []
        for text in texts:
            value, these_used, these_missing = expand(text, lookup)
            values.append(value)
            used += [n for n in these_used if n not in used]
            missing += [n for n in these_missing if n not in missing]
        if used or values != texts:
            self.findings.add(
                codes.K8S_VAR_EXPANSION,
                pos,
                f"$(…) in {what} was expanded: {', '.join(used) or '$$ escapes'}",
                subject=pod.obj.name,
            )
        unresolved = [n for n in missing if n in env]
        if unresolved:
            self.findings.add(
                codes.K8S_VAR_EXPANSION,
                pos,
                f"$({unresolved[0]}) in {what} is known only at run time; it was left as written",
                "reference the variable from a shell (sh -c '... $VAR') or set the value by hand",
                subject=pod.obj.name,
            )
        return values

    def _expand_command(self, pod: _Pod, container: Container, env: dict[str, EnvVar]) -> None:
        for attr, label in (("entrypoint", "command"), ("command", "args")):
            values = getattr(container, attr)
            if values is None:
                continue
            pos = getattr(container, f"{attr}_position") or container.position
            setattr(container, attr, self._expand_all(values, env, pod, pos, label))

    def _unused_lookups(self) -> None:
        for obj in self.objects:
            if obj.kind not in ("ConfigMap", "Secret"):
                continue
            if (obj.kind, _ns(obj.namespace), obj.name) in self.used_lookups:
                continue
            hint = (
                "render it into the task with a template block"
                if obj.kind == "ConfigMap"
                else "store it in Nomad Variables and render it with a template block"
            )
            self.findings.add(
                codes.K8S_KIND_NOT_TRANSLATED,
                obj.doc.where_key("kind"),
                f"{obj.label} is not referenced from any env var; it is not translated (files mounted "
                "from it are reported with the volumes)",
                hint,
                path=obj.label,
                subject=obj.name,
            )


_JOB_HINTS = {
    "completions": "run the group with count = completions, or submit the job that many times",
    "backoffLimit": "set the group's restart and reschedule attempts",
    "activeDeadlineSeconds": "stop the job from outside after the deadline",
    "ttlSecondsAfterFinished": "Nomad garbage-collects finished jobs by its own schedule",
    "startingDeadlineSeconds": "Nomad runs a missed launch at the next schedule",
    "successfulJobsHistoryLimit": "Nomad keeps child jobs until garbage collection",
    "failedJobsHistoryLimit": "Nomad keeps child jobs until garbage collection",
    "suspend": "stop the job, or disable the periodic block",
}
_SERVICE_HINTS = {
    "sessionAffinity": "use a load balancer with sticky sessions",
    "externalTrafficPolicy": "Nomad has no node-local traffic policy",
    "internalTrafficPolicy": "Nomad has no node-local traffic policy",
    "loadBalancerIP": "configure the external load balancer",
    "externalIPs": "configure the external load balancer",
    "publishNotReadyAddresses": "nomadService returns every instance, ready or not",
}
# Keys that are part of the Kubernetes API but not read here: K002 rather than K001.
_KNOWN_ELSEWHERE = frozenset(
    {
        "status", "generateName", "uid", "resourceVersion", "creationTimestamp", "generation",
        "managedFields", "ownerReferences", "finalizers", "selfLink", "deletionTimestamp",
        "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds", "paused",
        "podManagementPolicy", "persistentVolumeClaimRetentionPolicy", "ordinals", "manualSelector",
        "completionMode", "podFailurePolicy", "automountServiceAccountToken", "priorityClassName",
        "schedulerName", "shareProcessNamespace", "topologySpreadConstraints", "readinessGates",
        "runtimeClassName", "preemptionPolicy", "overhead", "hostPID", "hostIPC", "setHostnameAsFQDN",
        "os", "hostUsers", "ephemeralContainers", "nodeName", "priority", "schedulingGates",
        "resourceClaims", "terminationMessagePath", "terminationMessagePolicy", "stdin", "stdinOnce",
        "tty", "volumeDevices", "resizePolicy", "ipFamilies", "ipFamilyPolicy", "sessionAffinityConfig",
        "loadBalancerSourceRanges", "loadBalancerClass", "allocateLoadBalancerNodePorts",
        "healthCheckNodePort", "trafficDistribution", "claims",
    }
)  # fmt: skip


def _templates(doc: YamlMap) -> list[Any]:
    spec = doc.get("spec")
    if not isinstance(spec, YamlMap):
        return []
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, YamlMap) and isinstance(job_template.get("spec"), YamlMap):
        return [job_template["spec"].get("template")]
    return [spec.get("template")]


def _section(mapping: YamlMap, key: str) -> YamlMap:
    value = mapping.get(key)
    return value if isinstance(value, YamlMap) else YamlMap(mapping.pos)


def _secret_keys(secret: YamlMap) -> list[str]:
    keys: list[str] = []
    for section in ("data", "stringData"):
        if isinstance(secret.get(section), dict):
            keys.extend(k for k in secret[section] if k not in keys)
    return keys


def _dns_names(name: str, namespace: str) -> list[str]:
    """Every name that resolves to a Service from inside the cluster (the search path makes the
    short forms work): svc, svc.ns, svc.ns.svc, svc.ns.svc.cluster.local."""
    return [
        name,
        f"{name}.{namespace}",
        f"{name}.{namespace}.svc",
        f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}",
    ]


def parse_manifests(manifests: Manifests, findings: Findings) -> Project:
    """One neutral Project: a workload per workload object; Services attached as endpoints."""
    findings.extend(manifests.findings)
    parser = _Parser(manifests, findings)
    workloads = parser.parse()
    name = workloads[0].name if len(workloads) == 1 else "kubernetes"
    project = Project(name, "kubernetes", list(manifests.files), workloads, job_per_workload=True)
    project.endpoints = parser.external
    return project
