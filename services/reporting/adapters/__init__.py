"""Reporting's I/O: the fact store, the Kafka consumer and producer, replay, exports, HTML."""
