"""The ports a well-known image listens on, for a service whose source declares none.

A Compose service such as ``redis: {image: "redis:alpine"}`` declares no port, yet its clients
connect to 6379. ``default_ports`` answers that from ``IMAGES``: one entry per image, keyed by
the image's repository name, each port carrying where it was confirmed (the image's own
Dockerfile ``EXPOSE`` line, or its documentation).

What is listed, for each image: the ports its default command listens on for clients,
HTTP APIs, web interfaces and monitoring endpoints included. Left out: ports used only
between members of a cluster (peer, gossip and replication ports), and ports that open
only once more is configured (TLS variants, optional plugins). Two exceptions: the
transport port 9300 of Elasticsearch and OpenSearch is kept (between nodes, and the port
of their older Java clients), and etcd's own images bind 2379 to localhost until told
otherwise, yet 2379 is the client port every configuration of them uses.

Which references match:

- Docker Hub images, named the way Docker names them: a tag (``redis:7-alpine``) and a
  digest (``postgres@sha256:...``) are dropped, and so are the default registry
  (``docker.io/``, ``index.docker.io/``) and the ``library/`` namespace of official images.
  A namespace is kept: ``bitnami/redis`` is its own entry, not ``redis``.
- Another registry's image matches only an entry that names that registry
  (``quay.io/keycloak/keycloak``). ``ghcr.io/example/redis``, ``localhost:5000/redis`` and a
  pull-through mirror such as ``mirror.gcr.io/redis`` are not ``redis``: whoever pushed them
  there may have built anything under that name.
- Where an image's tags select a different program (``rabbitmq:management`` adds the
  management interface, ``influxdb:3-core`` is InfluxDB 3, ``adminer:fastcgi`` runs PHP-FPM)
  the entry has variants, chosen by the tag; no tag means the untagged default (Docker's
  ``latest``).
- A reference that is not well formed (an unresolved ``${VARIABLE}``, upper-case letters in
  a repository) matches nothing, and neither does an image that is not listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field
from typing import Final

from translator.records import record

__all__ = ["IMAGES", "ImageEntry", "ImagePort", "ImageVariant", "default_ports", "image_name"]


@record(frozen=True)
class ImagePort:
    """A port an image listens on by default, and where that was confirmed."""

    port: int
    protocol: str = "tcp"
    source: str = field(kw_only=True)


@record(frozen=True)
class ImageVariant:
    """The ports of the image's tags that ``tag`` finds (``re.search``) a match in."""

    tag: re.Pattern[str]
    ports: tuple[ImagePort, ...]


@record(frozen=True)
class ImageEntry:
    """An image's default ports, and those of tags that run something else."""

    ports: tuple[ImagePort, ...]
    variants: tuple[ImageVariant, ...] = ()

    def ports_for(self, tag: str | None) -> tuple[ImagePort, ...]:
        if tag is not None:
            for variant in self.variants:
                if variant.tag.search(tag):
                    return variant.ports
        return self.ports


def _ports(source: str, *specs: int | str) -> tuple[ImagePort, ...]:
    """Ports confirmed by one source; a spec is a number, or ``"number/protocol"``."""
    made = []
    for spec in specs:
        number, _, protocol = str(spec).partition("/")
        made.append(ImagePort(int(number), protocol or "tcp", source=source))
    return tuple(made)


def _image(source: str, *specs: int | str) -> ImageEntry:
    return ImageEntry(_ports(source, *specs))


def _tag_word(word: str) -> re.Pattern[str]:
    """Matches tags with ``word`` as one of their dash-separated parts (``4-management-alpine``)."""
    return re.compile(rf"(?:^|-)(?:{word})(?:-|$)")


# Sources quoted by more than one entry or variant.
_RABBITMQ = "docker-library/rabbitmq Dockerfile: EXPOSE 4369 5671 5672 15691 15692 25672 (5672: AMQP)"
_CLICKHOUSE = "ClickHouse/docker-library server Dockerfile: EXPOSE 9000 8123 9009 (9009: between replicas)"
_ELASTICSEARCH = "elastic/dockerfiles elasticsearch/Dockerfile (v9.2.4): EXPOSE 9200 9300"
_CONNECT = "confluentinc/kafka-images kafka-connect-base/Dockerfile.ubi9: EXPOSE 8083 (REST API)"
_OTELCOL = "open-telemetry/opentelemetry-collector-releases otelcol Dockerfiles: EXPOSE 4317 4318 (OTLP)"
_PROMETHEUS = "prometheus/prometheus Dockerfile: EXPOSE 9090"
_ETCD = (
    "etcd-io/etcd Dockerfile: EXPOSE 2379 2380 (2379: clients; etcd binds localhost:2379 "
    "unless --listen-client-urls says otherwise)"
)

IMAGES: Final[Mapping[str, ImageEntry]] = {
    # Docker Hub official images (the library/ namespace)
    "redis": _image("docker-library/redis Dockerfile: EXPOSE 6379", 6379),
    "postgres": _image("docker-library/postgres Dockerfile: EXPOSE 5432", 5432),
    "mysql": _image(
        "docker-library/mysql Dockerfile.oracle: EXPOSE 3306 33060 (classic, X Protocol)", 3306, 33060
    ),
    "mariadb": _image("MariaDB/mariadb-docker Dockerfile: EXPOSE 3306", 3306),
    "mongo": _image("docker-library/mongo Dockerfile: EXPOSE 27017", 27017),
    "memcached": _image("docker-library/memcached Dockerfile: EXPOSE 11211", 11211),
    "rabbitmq": ImageEntry(
        _ports(_RABBITMQ, 5672),
        variants=(
            ImageVariant(
                _tag_word("management"),
                _ports(_RABBITMQ, 5672)
                + _ports(
                    "docker-library/rabbitmq management/Dockerfile: EXPOSE 15671 15672 (15672: HTTP)", 15672
                ),
            ),
        ),
    ),
    "cassandra": _image(
        "docker-library/cassandra Dockerfile: EXPOSE 7000 7001 7199 9042 9160 (9042: CQL)", 9042
    ),
    "couchdb": _image("apache/couchdb-docker Dockerfile: EXPOSE 5984 4369 9100 (5984: HTTP API)", 5984),
    "elasticsearch": _image(_ELASTICSEARCH, 9200, 9300),
    "nginx": _image("nginx/docker-nginx Dockerfile: EXPOSE 80", 80),
    "httpd": _image("docker-library/httpd Dockerfile: EXPOSE 80", 80),
    "traefik": _image("traefik/traefik-library-image Dockerfile: EXPOSE 80", 80),
    "zookeeper": _image(
        "31z4/zookeeper-docker Dockerfile: EXPOSE 2181 2888 3888 8080 "
        "(2181: clients; 8080: AdminServer, on with ZOO_ADMINSERVER_ENABLED=true)",
        2181,
        8080,
    ),
    "influxdb": ImageEntry(
        _ports("influxdata/influxdata-docker influxdb 1.x and 2.x Dockerfiles: EXPOSE 8086", 8086),
        variants=(
            ImageVariant(
                _tag_word("core|enterprise"),
                _ports(
                    "influxdata/influxdata-docker influxdb 3.x-core/-enterprise Dockerfiles: EXPOSE 8181",
                    8181,
                ),
            ),
            ImageVariant(
                _tag_word("meta"),
                _ports("influxdata/influxdata-docker influxdb 1.x meta Dockerfiles: EXPOSE 8091", 8091),
            ),
        ),
    ),
    "nats": _image(
        "nats-io/nats-docker Dockerfile: EXPOSE 4222 8222 6222; nats-server.conf: clients 4222, "
        "monitoring 8222 (6222: routes between servers)",
        4222,
        8222,
    ),
    "adminer": ImageEntry(
        _ports("TimWolla/docker-adminer Dockerfile: EXPOSE 8080", 8080),
        variants=(
            ImageVariant(
                _tag_word("fastcgi"),
                _ports(
                    "TimWolla/docker-adminer fastcgi/Dockerfile: FROM php:fpm; "
                    "docker-library/php fpm: EXPOSE 9000",
                    9000,
                ),
            ),
        ),
    ),
    "clickhouse": _image(_CLICKHOUSE, 8123, 9000),
    "consul": _image(
        "hashicorp/docker-consul Dockerfile: EXPOSE 8500 8600 8600/udp (HTTP API, DNS)",
        8500,
        8600,
        "8600/udp",
    ),
    "vault": _image("hashicorp/docker-vault Dockerfile: EXPOSE 8200", 8200),
    # Docker Hub images of other publishers
    "valkey/valkey": _image("valkey-io/valkey-container Dockerfile: EXPOSE 6379", 6379),
    "hashicorp/consul": _image(
        "hashicorp/consul Dockerfile: EXPOSE 8500 8600 8600/udp (HTTP API, DNS; 8300-8302: between agents)",
        8500,
        8600,
        "8600/udp",
    ),
    "hashicorp/vault": _image("hashicorp/vault Dockerfile: EXPOSE 8200", 8200),
    "clickhouse/clickhouse-server": _image(_CLICKHOUSE, 8123, 9000),
    "opensearchproject/opensearch": _image(
        "opensearch-project/opensearch-build opensearch.al2023.dockerfile: EXPOSE 9200 9300 9600 9650 "
        "(9600: performance analyzer; 9650 needs root cause analysis enabled)",
        9200,
        9300,
        9600,
    ),
    "apache/kafka": _image("apache/kafka docker/jvm/Dockerfile: EXPOSE 9092", 9092),
    "confluentinc/cp-kafka": _image("confluentinc/kafka-images kafka/Dockerfile.ubi9: EXPOSE 9092", 9092),
    "confluentinc/cp-server": _image("confluentinc/kafka-images server/Dockerfile.ubi9: EXPOSE 9092", 9092),
    "confluentinc/cp-zookeeper": _image(
        "confluentinc/kafka-images zookeeper/Dockerfile.ubi8 (before CP 8.0): EXPOSE 2181 2888 3888", 2181
    ),
    "confluentinc/cp-kafka-connect": _image(_CONNECT, 8083),
    "confluentinc/cp-kafka-connect-base": _image(_CONNECT, 8083),
    "confluentinc/cp-schema-registry": _image(
        "confluentinc/schema-registry-images schema-registry/Dockerfile.ubi9: EXPOSE 8081", 8081
    ),
    "confluentinc/cp-kafka-rest": _image(
        "confluentinc/kafka-rest-images kafka-rest/Dockerfile.ubi9: EXPOSE 8082", 8082
    ),
    "minio/minio": _image(
        "minio/minio Dockerfile.release: EXPOSE 9000 (the console port is chosen by flag)", 9000
    ),
    "grafana/grafana": _image("grafana/grafana Dockerfile: EXPOSE 3000", 3000),
    "prom/prometheus": _image(_PROMETHEUS, 9090),
    "jaegertracing/jaeger": _image(
        "jaegertracing/jaeger cmd/jaeger/Dockerfile: EXPOSE (4317, 4318: OTLP; 16686: UI and query API)",
        4317,
        4318,
        16686,
    ),
    "jaegertracing/all-in-one": _image(
        "jaegertracing/jaeger cmd/all-in-one/Dockerfile: EXPOSE (14250, 14268: collector; 16686: UI)",
        14250,
        14268,
        16686,
    ),
    "otel/opentelemetry-collector": _image(_OTELCOL, 4317, 4318),
    "otel/opentelemetry-collector-contrib": _image(_OTELCOL, 4317, 4318),
    "mailhog/mailhog": _image("mailhog/MailHog Dockerfile: EXPOSE 1025 8025 (SMTP, web UI)", 1025, 8025),
    "axllent/mailpit": _image(
        "axllent/mailpit Dockerfile: EXPOSE 1025/tcp 1110/tcp 8025/tcp "
        "(SMTP, web UI; POP3 1110 needs configuring)",
        1025,
        8025,
    ),
    "bitnami/redis": _image("bitnami/containers redis Dockerfile: EXPOSE 6379", 6379),
    "bitnami/redis-cluster": _image("bitnami/containers redis-cluster Dockerfile: EXPOSE 6379", 6379),
    "bitnami/postgresql": _image("bitnami/containers postgresql Dockerfile: EXPOSE 5432", 5432),
    "bitnami/mysql": _image("bitnami/containers mysql Dockerfile: EXPOSE 3306", 3306),
    "bitnami/mariadb": _image("bitnami/containers mariadb Dockerfile: EXPOSE 3306", 3306),
    "bitnami/mongodb": _image("bitnami/containers mongodb Dockerfile: EXPOSE 27017", 27017),
    "bitnami/kafka": _image("bitnami/containers kafka Dockerfile: EXPOSE 9092", 9092),
    "bitnami/memcached": _image("bitnami/containers memcached Dockerfile: EXPOSE 11211", 11211),
    "bitnami/etcd": _image("bitnami/containers etcd Dockerfile: EXPOSE 2379 2380 (2379: clients)", 2379),
    "bitnami/rabbitmq": _image(
        "bitnami/containers rabbitmq Dockerfile EXPOSE and rabbitmq-env.sh defaults: "
        "5672 (AMQP), 15672 (management)",
        5672,
        15672,
    ),
    # Images on other registries, named with their registry
    "docker.elastic.co/elasticsearch/elasticsearch": _image(_ELASTICSEARCH, 9200, 9300),
    "quay.io/keycloak/keycloak": _image(
        "keycloak/keycloak quarkus/container/Dockerfile: EXPOSE 8080 8443 (8443 needs a certificate)", 8080
    ),
    "quay.io/prometheus/prometheus": _image(_PROMETHEUS, 9090),
    "quay.io/coreos/etcd": _image(_ETCD, 2379),
    "gcr.io/etcd-development/etcd": _image(_ETCD, 2379),
}

# The grammar of an image reference, as Docker parses one (a little looser in separators).
_COMPONENT = re.compile(r"[a-z0-9]+(?:[._-]+[a-z0-9]+)*")
_TAG = re.compile(r"\w[\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}")
_REGISTRY = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9A-Fa-f:]+\](?::[0-9]+)?")

_DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io"})


def _parse(image: str) -> tuple[str, str | None] | None:
    """``(name, tag)`` of a reference, the name in Docker's short form; None if malformed."""
    rest, at, digest = image.strip().partition("@")
    if at and not _DIGEST.fullmatch(digest):
        return None
    tag: str | None = None
    last_slash, last_colon = rest.rfind("/"), rest.rfind(":")
    if last_colon > last_slash:
        rest, tag = rest[:last_colon], rest[last_colon + 1 :]
        if not _TAG.fullmatch(tag):
            return None
    first, slash, path = rest.partition("/")
    # Docker reads the first component as a registry when it has a dot or a port, is
    # localhost, or has upper-case letters (which a repository name cannot).
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        if not _REGISTRY.fullmatch(first):
            return None
        registry = _DOCKER_HUB if first in _DOCKER_HUB_ALIASES else first
    else:
        registry, path = _DOCKER_HUB, rest
    components = path.split("/")
    if not all(_COMPONENT.fullmatch(c) for c in components):
        return None
    if registry != _DOCKER_HUB:
        return f"{registry}/{path}", tag
    if len(components) == 2 and components[0] == "library":
        path = components[1]
    return path, tag


def image_name(image: str) -> str | None:
    """The name ``IMAGES`` is keyed by for ``image`` (``docker.io/library/redis:7`` → ``redis``),
    whether or not it is listed; None for a reference that is not well formed."""
    parsed = _parse(image)
    return None if parsed is None else parsed[0]


def default_ports(image: str) -> tuple[ImagePort, ...]:
    """The ports ``image`` listens on by default, or () when the image is not a listed one."""
    parsed = _parse(image)
    if parsed is None:
        return ()
    name, tag = parsed
    entry = IMAGES.get(name)
    return () if entry is None else entry.ports_for(tag)
