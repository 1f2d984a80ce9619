"""MongoDB settings and client construction (PyMongo's AsyncMongoClient, the successor of motor)."""

from __future__ import annotations

from pydantic import BaseModel
from pymongo import AsyncMongoClient


class MongoSettings(BaseModel):
    """Nested in each service's settings as `mongo` (env e.g. TASKING_MONGO__URL)."""

    url: str = "mongodb://127.0.0.1:27017/"
    database: str = "paicha"
    # How long a call waits for the store before failing (a 503 at the edge, not a hang).
    server_selection_timeout_ms: int = 5000

    def client(self) -> AsyncMongoClient:
        # One client per event loop; FerretDB has no sessions/transactions, so none are used.
        return AsyncMongoClient(
            self.url, serverSelectionTimeoutMS=self.server_selection_timeout_ms, tz_aware=True
        )
