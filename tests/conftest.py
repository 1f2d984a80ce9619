"""Session fixtures: a real Kafka bootstrap address and a real MongoDB URL for every test.

Where they come from, in order:
1. `PAICHA_TEST_KAFKA` / `PAICHA_TEST_MONGO` when set (an existing cluster, CI services; with
   `PAICHA_TEST_FERRETDB_POSTGRESQL_URL` when that MongoDB is FerretDB on PostgreSQL);
2. testcontainers (Kafka in KRaft mode and MongoDB) when a Docker daemon answers;
3. otherwise a private local stack (real Apache Kafka + FerretDB on the stack's PostgreSQL, or on
   SQLite with PAICHA_STACK_STORE=sqlite) on free ports, started here and stopped (and wiped) at
   the end of the session.
Tests get unique topic and database names from `unique_name`, so they never share data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

# testcontainers' Kafka module drives Confluent's packaging of Apache Kafka; CP 8.1 is the
# Kafka 4.1 line (the local stack pins 4.4.0, which the official apache/kafka image carries
# in docker-compose.yml). The module does not configure the apache/kafka image.
TESTCONTAINERS_KAFKA_IMAGE = "confluentinc/cp-kafka:8.1.0"


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    mongo_url: str
    source: str
    # The PostgreSQL under FerretDB when the store is FerretDB-on-PostgreSQL (services built in
    # tests pass it as MongoSettings.ferretdb_postgresql_url); None for MongoDB or SQLite.
    ferretdb_postgresql_url: str | None = None


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:  # noqa: BLE001 - no daemon, no socket, no permission: all mean "no"
        return False


def _from_testcontainers() -> Iterator[Endpoints]:
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.mongodb import MongoDbContainer

    with (
        KafkaContainer(TESTCONTAINERS_KAFKA_IMAGE).with_kraft() as kafka,
        MongoDbContainer("mongo:7") as mongo,
    ):
        yield Endpoints(kafka.get_bootstrap_server(), mongo.get_connection_url(), "testcontainers")


def _from_local_stack(tmp_root: str) -> Iterator[Endpoints]:
    from paicha.stack import Stack
    from paicha.stack.config import StackSettings
    from paicha.stack.errors import free_port

    settings = StackSettings(
        name=f"test-{os.getpid()}",
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        mongo_port=free_port(),
        postgres_port=free_port(),
    )
    stack = Stack(settings)
    try:
        stack.up()
        yield Endpoints(settings.kafka_bootstrap, settings.mongo_url,
                        f"local stack ({settings.store})", settings.ferretdb_postgresql_url)
    finally:
        stack.down(wipe=True)


@pytest.fixture(scope="session")
def endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    kafka, mongo = os.environ.get("PAICHA_TEST_KAFKA"), os.environ.get("PAICHA_TEST_MONGO")
    if kafka and mongo:
        yield Endpoints(kafka, mongo, "environment",
                        os.environ.get("PAICHA_TEST_FERRETDB_POSTGRESQL_URL") or None)
    elif _docker_answers():
        yield from _from_testcontainers()
    else:
        yield from _from_local_stack(str(tmp_path_factory.mktemp("stack")))


@pytest.fixture(scope="session")
def kafka_bootstrap(endpoints: Endpoints) -> str:
    """`host:port` of a real Kafka broker."""
    return endpoints.kafka_bootstrap


@pytest.fixture(scope="session")
def mongo_url(endpoints: Endpoints) -> str:
    """`mongodb://…` URL of a real MongoDB-protocol server."""
    return endpoints.mongo_url


@pytest.fixture(scope="session")
def ferretdb_postgresql_url(endpoints: Endpoints) -> str | None:
    """The PostgreSQL under FerretDB (for `MongoSettings.ferretdb_postgresql_url`), or None."""
    return endpoints.ferretdb_postgresql_url


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """`unique_name("records")` → `t-records-1a2b3c4d5e`: a name no other test uses."""

    def make(prefix: str) -> str:
        return f"t-{prefix}-{uuid.uuid4().hex[:10]}"

    return make


def pytest_report_header(config: pytest.Config) -> str:
    if os.environ.get("PAICHA_TEST_KAFKA") and os.environ.get("PAICHA_TEST_MONGO"):
        return "paicha: Kafka/MongoDB from PAICHA_TEST_KAFKA / PAICHA_TEST_MONGO"
    return "paicha: Kafka/MongoDB from testcontainers if Docker answers, else a private local stack"
