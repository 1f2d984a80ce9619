"""The local stack: a real Apache Kafka broker (KRaft) and FerretDB, no Docker needed.

`paicha stack up | down | status` drives it; tests start a private one of their own.
"""

from paicha.stack.manager import Stack, StackError, StackStatus

__all__ = ["Stack", "StackError", "StackStatus"]
