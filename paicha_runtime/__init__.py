"""Runtime pieces every service shares: Kafka client settings, Mongo settings and indexes, the
HTTP edge.

Import direction (a test keeps it): `paicha_runtime` imports only `contracts` and libraries;
services import `paicha_runtime` and `contracts`, never each other; the `paicha` command
(CLI, local stack, simulator) imports services, never the other way round.
"""
