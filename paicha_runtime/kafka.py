"""Kafka connection settings shared by every client (aiokafka and faust), SASL/TLS included."""

from __future__ import annotations

import ssl
from typing import Any, Literal

from pydantic import BaseModel, SecretStr


class KafkaSettings(BaseModel):
    """Nested in each service's settings as `kafka` (env e.g. INTAKE_KAFKA__BOOTSTRAP)."""

    bootstrap: str = "127.0.0.1:9092"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    # Namespace prefixed to every topic name; empty in production, unique per test run.
    topic_namespace: str = ""

    def ssl_context(self) -> ssl.SSLContext | None:
        if "SSL" not in self.security_protocol:
            return None
        ctx = ssl.create_default_context(cafile=self.ssl_cafile)
        if self.ssl_certfile:
            ctx.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return ctx

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            kwargs["sasl_plain_username"] = self.sasl_username
            kwargs["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
            )
        ctx = self.ssl_context()
        if ctx is not None:
            kwargs["ssl_context"] = ctx
        return kwargs

    def faust_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `faust.App(...)`: broker URL and credentials."""
        kwargs: dict[str, Any] = {"broker": f"kafka://{self.bootstrap}"}
        ctx = self.ssl_context()
        if self.sasl_mechanism:
            import faust

            password = self.sasl_password.get_secret_value() if self.sasl_password else ""
            kwargs["broker_credentials"] = faust.SASLCredentials(
                username=self.sasl_username or "",
                password=password,
                mechanism=self.sasl_mechanism,
                ssl_context=ctx,
            )
        elif ctx is not None:
            import faust

            kwargs["broker_credentials"] = faust.SSLCredentials(ctx)
        return kwargs
