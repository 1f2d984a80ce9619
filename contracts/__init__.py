"""paicha's public event contracts: the single definition of every event crossing Kafka.

- ``contracts.values``: domain value checks (ID number, mobile, area code, person key, masks)
- ``contracts.types``: the same as pydantic annotated types (and ``AwareDatetime``)
- ``contracts.events``: one frozen model per event type and major version; ``model_for``
- ``contracts.topics``: topic registry (``registry``, ``DEFAULT``) and ``ensure_topics``
- ``contracts.envelope``: CloudEvents Kafka binary ``encode`` / ``decode`` helpers
- ``contracts.generate`` / ``contracts.compat``: schema + AsyncAPI generation, compatibility
"""
