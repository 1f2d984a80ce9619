"""Pinned versions of everything the local stack downloads and builds.

Kafka 4.4.0 is the newest broker served on Maven Central when this was pinned; this project's
integration tests (aiokafka 0.14 produce/consume/consumer groups/transactions, faust-streaming
0.15 agents and changelog-backed tables) pass against it, so 3.9.x is not needed. The same
version is used by docker-compose.yml (a test keeps the two equal).
FerretDB v1.24.2 is the last v1 release; v1 has the SQLite backend, v2 needs PostgreSQL with
DocumentDB.
"""

KAFKA_VERSION = "4.4.0"
KAFKA_SCALA_VERSION = "2.13"
LOG4J_VERSION = "2.25.3"
SLF4J_VERSION = "2.0.17"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"
