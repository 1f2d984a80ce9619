"""SASL/TLS settings reach every Kafka client: aiokafka's keyword arguments and faust's App."""

from __future__ import annotations

import ssl

import faust

from paicha_runtime.kafka import KafkaSettings


def test_plaintext_is_just_the_bootstrap():
    kwargs = KafkaSettings(bootstrap="kafka:9092").client_kwargs()
    assert kwargs == {"bootstrap_servers": "kafka:9092", "security_protocol": "PLAINTEXT"}


def test_sasl_ssl_settings_are_passed_to_aiokafka_clients():
    settings = KafkaSettings(
        bootstrap="kafka:9093", security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512",
        sasl_username="intake", sasl_password="s3cret-from-vault",
    )
    kwargs = settings.client_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == (
        "intake", "s3cret-from-vault")
    assert isinstance(kwargs["ssl_context"], ssl.SSLContext)
    assert "s3cret" not in repr(settings)  # the password is a SecretStr


def test_sasl_settings_become_faust_broker_credentials():
    settings = KafkaSettings(
        bootstrap="kafka:9093", security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
        sasl_username="triage", sasl_password="pw",
    )
    kwargs = settings.faust_kwargs()
    assert kwargs["broker"] == "kafka://kafka:9093"
    credentials = kwargs["broker_credentials"]
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.username == "triage"
    assert str(credentials.mechanism.value) == "PLAIN"


def test_environment_nests_kafka_settings(monkeypatch):
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Service(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="SVC_", env_nested_delimiter="__")
        kafka: KafkaSettings = KafkaSettings()

    monkeypatch.setenv("SVC_KAFKA__BOOTSTRAP", "broker:19092")
    monkeypatch.setenv("SVC_KAFKA__SECURITY_PROTOCOL", "SSL")
    service = Service()
    assert service.kafka.bootstrap == "broker:19092"
    assert "ssl_context" in service.kafka.client_kwargs()
