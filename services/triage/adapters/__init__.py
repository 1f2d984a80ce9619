"""Adapters of the triage service: faust tables and topics, Kafka publishing, the HTTP API and
the mapping between the public events (contracts) and the domain."""
