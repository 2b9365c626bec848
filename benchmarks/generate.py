"""Synthetic inputs for the benchmarks: Compose projects and Kubernetes manifests of N services.

Each service publishes or exposes ports, names other services in its environment (a URL,
``host:port``, and a host with a sibling port variable), has a health check, and depends
on the previous service (an acyclic chain). The Kubernetes file holds a Deployment and a
Service per app, with named ports and probes.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def compose_text(n: int) -> str:
    lines = ["name: bench", "services:"]
    for i in range(n):
        other = (i * 7 + 3) % n
        peer = (i + 1) % n
        lines += [
            f"  svc-{i}:",
            f"    image: registry.example.com/bench/svc-{i}:1.{i % 10}",
            "    ports:" if i % 3 == 0 else "    expose:",
            f'      - "{8000 + i % 50}:8080"' if i % 3 == 0 else '      - "8080"',
            "    environment:",
            f"      UPSTREAM_URL: http://svc-{other}:8080/api/v1?timeout=5",
            f"      PEER_ADDR: svc-{peer}:8080",
            f"      CACHE_HOST: svc-{other}",
            "      CACHE_PORT: '8080'",
            f"      LOG_LEVEL: {'debug' if i % 2 else 'info'}",
            "    healthcheck:",
            '      test: ["CMD", "curl", "-f", "http://localhost:8080/healthz"]',
            "      interval: 10s",
            "      timeout: 2s",
            "      retries: 3",
        ]
        if i:
            lines += ["    depends_on:", f"      svc-{i - 1}:", "        condition: service_started"]
    return "\n".join(lines) + "\n"


def kubernetes_text(n: int) -> str:
    documents = []
    for i in range(n):
        other = (i * 7 + 3) % n
        documents.append(
            f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  labels: {{app: app-{i}}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      containers:
        - name: server
          image: registry.example.com/bench/app-{i}:1.0
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: UPSTREAM_ADDR
              value: app-{other}:80
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
          livenessProbe:
            tcpSocket: {{port: 8080}}
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
spec:
  selector: {{app: app-{i}}}
  ports:
    - name: http
      port: 80
      targetPort: http
"""
        )
    return "---\n".join(documents)


def write_inputs(directory: Path, n: int) -> tuple[Path, Path]:
    """Write ``compose-<n>.yaml`` and ``kubernetes-<n>.yaml`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    compose = directory / f"compose-{n}.yaml"
    kubernetes = directory / f"kubernetes-{n}.yaml"
    compose.write_text(compose_text(n), encoding="utf-8")
    kubernetes.write_text(kubernetes_text(n), encoding="utf-8")
    return compose, kubernetes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, nargs="+", help="numbers of services")
    parser.add_argument("-o", "--output", type=Path, default=Path("benchmarks/inputs"))
    args = parser.parse_args()
    for n in args.n:
        for path in write_inputs(args.output, n):
            print(path)


if __name__ == "__main__":
    main()
