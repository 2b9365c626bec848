"""The default ports of well-known images: how references are named, what the table says,
and which images of the shared Compose corpus it recognises."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from tests.helpers import corpus_dir
from translator.image_ports import IMAGES, ImagePort, default_ports, image_name

DIGEST = "sha256:" + "0123456789abcdef" * 4


def ports(image: str) -> list[tuple[int, str]]:
    return [(p.port, p.protocol) for p in default_ports(image)]


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("redis", [(6379, "tcp")]),
        ("postgres", [(5432, "tcp")]),
        ("mysql", [(3306, "tcp"), (33060, "tcp")]),
        ("mongo", [(27017, "tcp")]),
        ("nginx", [(80, "tcp")]),
        ("elasticsearch", [(9200, "tcp"), (9300, "tcp")]),
        ("clickhouse/clickhouse-server", [(8123, "tcp"), (9000, "tcp")]),
        ("consul", [(8500, "tcp"), (8600, "tcp"), (8600, "udp")]),
    ],
)
def test_official_and_publisher_images(image: str, expected: list[tuple[int, str]]) -> None:
    assert ports(image) == expected


@pytest.mark.parametrize(
    "image",
    [
        "redis:7-alpine",
        "redis:alpine",
        "redis:latest",
        f"redis@{DIGEST}",
        f"redis:7.2@{DIGEST}",
        "docker.io/redis",
        "docker.io/library/redis:7",
        "index.docker.io/library/redis",
        "index.docker.io/redis:7",
        "library/redis:7",
        "  redis:7  ",
    ],
)
def test_tags_digests_and_docker_hub_prefixes_name_the_same_image(image: str) -> None:
    assert image_name(image) == "redis"
    assert ports(image) == [(6379, "tcp")]


def test_namespaced_images_are_their_own_entries() -> None:
    assert image_name("docker.io/bitnami/redis:7.4") == "bitnami/redis"
    assert ports("bitnami/redis:7.4") == [(6379, "tcp")]
    assert ports("bitnami/postgresql:17") == [(5432, "tcp")]
    assert ports("bitnami/mysql:8.4") == [(3306, "tcp")]  # bitnami's exposes no X Protocol port
    assert ports("bitnami/mongodb") == [(27017, "tcp")]
    assert ports("valkey/valkey:8.0-alpine") == [(6379, "tcp")]
    # a namespace that is not listed is not the official image of the same name
    assert ports("someone/redis") == []
    assert ports("library/bitnami/redis") == []


@pytest.mark.parametrize(
    "image",
    [
        "ghcr.io/redis",
        "ghcr.io/library/redis:7",
        "ghcr.io/valkey-io/valkey:9.0.4-alpine3.23",
        "quay.io/bitnami/redis",
        "localhost:5000/redis:7",
        "localhost/redis",
        "registry.example.com:5000/library/postgres:16",
        "mirror.gcr.io/redis",
        "mirror.gcr.io/library/redis:7",
        "[::1]:5000/redis",
    ],
)
def test_other_registries_do_not_match_docker_hub_names(image: str) -> None:
    assert default_ports(image) == ()


def test_an_image_listed_with_its_registry_matches_there_only() -> None:
    assert ports("quay.io/keycloak/keycloak:26.0") == [(8080, "tcp")]
    assert ports("docker.elastic.co/elasticsearch/elasticsearch:9.2.4") == [(9200, "tcp"), (9300, "tcp")]
    assert ports("keycloak/keycloak") == []
    assert image_name("localhost:5000/redis:7") == "localhost:5000/redis"


@pytest.mark.parametrize(
    "image",
    ["alpine", "busybox:1", "foobar", "apache/airflow:2.10", "ghcr.io/open-telemetry/demo:latest-ad"],
)
def test_unknown_images_have_no_ports(image: str) -> None:
    assert default_ports(image) == ()


@pytest.mark.parametrize(
    "image",
    [
        "",
        "   ",
        "${REDIS_IMAGE}",
        "redis:${TAG}",
        "Redis",
        "REDIS:7",
        "redis:",
        ":7",
        "redis@sha256:abc",
        "redis@",
        "/redis",
        "redis/",
        "apache/airflow:|version|",
    ],
)
def test_malformed_references_match_nothing(image: str) -> None:
    assert default_ports(image) == ()


# --- tags that run something else -------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("rabbitmq", [5672]),
        ("rabbitmq:4-alpine", [5672]),
        ("rabbitmq:management", [5672, 15672]),
        ("rabbitmq:3-management", [5672, 15672]),
        ("rabbitmq:4.1-management-alpine", [5672, 15672]),
        (f"docker.io/library/rabbitmq:management@{DIGEST}", [5672, 15672]),
        (f"rabbitmq@{DIGEST}", [5672]),
        ("influxdb", [8086]),
        ("influxdb:2.7-alpine", [8086]),
        ("influxdb:1.12-data", [8086]),
        ("influxdb:3-core", [8181]),
        ("influxdb:3.11-enterprise", [8181]),
        ("influxdb:core", [8181]),
        ("influxdb:1.12-meta-alpine", [8091]),
        ("adminer", [8080]),
        ("adminer:5", [8080]),
        ("adminer:5-fastcgi", [9000]),
        ("adminer:fastcgi", [9000]),
    ],
)
def test_tag_variants(image: str, expected: list[int]) -> None:
    assert [p.port for p in default_ports(image)] == expected


# --- the table --------------------------------------------------------------------------------

# A source names the repository read ("docker-library/redis ...") and what was read there.
SOURCE = re.compile(r"^[\w.-]+/[\w.-]+ \S.*\d")


def all_ports() -> list[tuple[str, ImagePort]]:
    found = []
    for name, entry in IMAGES.items():
        found += [(name, port) for port in entry.ports]
        for variant in entry.variants:
            found += [(name, port) for port in variant.ports]
    return found


def test_every_port_has_a_source() -> None:
    checked = all_ports()
    assert len(checked) > len(IMAGES)
    for name, port in checked:
        assert port.source.strip(), name
        assert SOURCE.match(port.source), (name, port.source)
        assert str(port.port) in port.source, (name, port)


def test_every_port_is_a_port() -> None:
    for name, port in all_ports():
        assert 1 <= port.port <= 65535, name
        assert port.protocol in {"tcp", "udp"}, name


def test_every_entry_has_ports_and_no_port_twice() -> None:
    for name, entry in IMAGES.items():
        for listed in [entry.ports, *(v.ports for v in entry.variants)]:
            assert listed, name
            assert len({(p.port, p.protocol) for p in listed}) == len(listed), name


def test_table_keys_are_the_names_references_resolve_to() -> None:
    for name in IMAGES:
        assert image_name(name) == name
        assert image_name(f"{name}:1.0") == name
        if "." not in name.split("/")[0]:
            assert image_name(f"docker.io/{name}") == name


def test_the_brief_minimum_is_covered() -> None:
    wanted = {
        "redis": 6379,
        "valkey/valkey": 6379,
        "postgres": 5432,
        "mysql": 3306,
        "mariadb": 3306,
        "mongo": 27017,
        "rabbitmq": 5672,
        "memcached": 11211,
        "elasticsearch": 9200,
        "opensearchproject/opensearch": 9200,
        "nginx": 80,
        "httpd": 80,
        "traefik": 80,
        "confluentinc/cp-kafka": 9092,
        "bitnami/kafka": 9092,
        "apache/kafka": 9092,
        "zookeeper": 2181,
        "bitnami/etcd": 2379,
        "hashicorp/consul": 8500,
        "hashicorp/vault": 8200,
        "minio/minio": 9000,
        "influxdb": 8086,
        "grafana/grafana": 3000,
        "prom/prometheus": 9090,
        "clickhouse/clickhouse-server": 8123,
        "cassandra": 9042,
        "couchdb": 5984,
        "nats": 4222,
        "jaegertracing/jaeger": 16686,
        "otel/opentelemetry-collector-contrib": 4317,
        "quay.io/keycloak/keycloak": 8080,
        "adminer": 8080,
        "mailhog/mailhog": 1025,
        "axllent/mailpit": 8025,
        "bitnami/redis": 6379,
        "bitnami/postgresql": 5432,
        "bitnami/mysql": 3306,
        "bitnami/mongodb": 27017,
    }
    for image, port in wanted.items():
        assert port in [p.port for p in default_ports(image)], image
    assert 4318 in [p.port for p in default_ports("otel/opentelemetry-collector")]


def test_image_port_record() -> None:
    port = ImagePort(6379, source="docker-library/redis Dockerfile: EXPOSE 6379")
    assert port.protocol == "tcp"
    assert port == ImagePort(6379, "tcp", source="docker-library/redis Dockerfile: EXPOSE 6379")
    assert hash(port) == hash(ImagePort(6379, "tcp", source="docker-library/redis Dockerfile: EXPOSE 6379"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        port.port = 6380  # type: ignore[misc]
    with pytest.raises(TypeError):
        ImagePort(6379, "tcp", "positional source")  # type: ignore[call-arg]


# --- the shared Compose corpus ----------------------------------------------------------------

# Every image of the corpus's resolved configurations that the table recognises, and its name.
RECOGNISED = {
    "docker.io/bitnami/redis-cluster:8.8": "bitnami/redis-cluster",
    "docker.io/postgres:16-alpine": "postgres",
    "docker.io/valkey/valkey:8.0-alpine": "valkey/valkey",
    "confluentinc/cp-kafka-connect:7.8.0": "confluentinc/cp-kafka-connect",
    "confluentinc/cp-kafka-rest:7.8.0": "confluentinc/cp-kafka-rest",
    "confluentinc/cp-kafka:7.8.0": "confluentinc/cp-kafka",
    "confluentinc/cp-schema-registry:7.8.0": "confluentinc/cp-schema-registry",
    "confluentinc/cp-zookeeper:7.8.0": "confluentinc/cp-zookeeper",
    "elasticsearch:7.17.27": "elasticsearch",
    "grafana/grafana:12.4.2@sha256:83749231c3835e390a3144e5e940203e42b9589761f20ef3169c716e734ad505": (
        "grafana/grafana"
    ),
    "jaegertracing/jaeger:latest": "jaegertracing/jaeger",
    "mariadb": "mariadb",
    "mariadb:10-focal": "mariadb",
    "mariadb:11.8": "mariadb",
    "mongo": "mongo",
    "nginx": "nginx",
    "nginx:alpine": "nginx",
    "postgres": "postgres",
    "postgres:14": "postgres",
    "postgres:15-alpine": "postgres",
    "postgres:16": "postgres",
    "postgres:18.4": "postgres",
    "prom/prometheus:v3.12.0@sha256:69f5241418838263316593f7274a304b095c40bcf22e57272865da91bd60a8ac": (
        "prom/prometheus"
    ),
    "redis": "redis",
    "redis:3.0": "redis",
    "redis:6.2-alpine": "redis",
    "redis:7.2-bookworm": "redis",
    "redis:alpine": "redis",
}


def corpus_images() -> dict[str, dict[str, str]]:
    """Case name → {service: image} from each case's ``expected.config.json``."""
    files = sorted(corpus_dir("compose").glob("*/expected.config.json"))
    assert files, "no expected.config.json in the Compose corpus"
    found = {}
    for path in files:
        services = json.loads(path.read_text(encoding="utf-8")).get("services") or {}
        found[path.parent.name] = {
            name: service["image"] for name, service in services.items() if service.get("image")
        }
    return found


def test_corpus_images_the_table_recognises() -> None:
    images = {image for case in corpus_images().values() for image in case.values()}
    recognised = {image: image_name(image) for image in sorted(images) if default_ports(image)}
    assert recognised == RECOGNISED
    # images on other registries stay unrecognised, whatever their last path component
    assert "ghcr.io/valkey-io/valkey:9.0.4-alpine3.23" in images
    assert "ghcr.io/valkey-io/valkey:9.0.4-alpine3.23" not in recognised


def test_voting_app_redis_and_postgres_get_their_ports() -> None:
    voting = corpus_images()["voting-app"]
    assert voting == {"redis": "redis:alpine", "db": "postgres:15-alpine"}
    assert ports(voting["redis"]) == [(6379, "tcp")]
    assert ports(voting["db"]) == [(5432, "tcp")]
    assert "docker-library/redis" in default_ports(voting["redis"])[0].source
    assert "docker-library/postgres" in default_ports(voting["db"])[0].source
