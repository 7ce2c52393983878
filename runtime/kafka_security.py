"""How every Kafka client of the services authenticates and encrypts, from one set of settings.

The services use three client libraries (confluent-kafka for the ingest, the admin calls
and the readers; aiokafka under Faust for the workers), and each spells the same security
differently. Turning the shared ``KAFKA_SECURITY_PROTOCOL`` / ``KAFKA_SASL_*`` /
``KAFKA_SSL_*`` settings into each library's form in one place keeps a principal from
being configured for some clients of a process and forgotten for others.
"""

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import faust

from runtime.settings import ServiceSettings

Protocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]


@dataclass(frozen=True)
class KafkaSecurity:
    """One principal's way into the brokers; the default is the unauthenticated plaintext of dev."""

    protocol: Protocol = "PLAINTEXT"
    mechanism: str = "SCRAM-SHA-512"
    username: str = ""
    password: str = field(default="", repr=False)
    ca_location: Path | None = None
    certificate_location: Path | None = None
    key_location: Path | None = None

    @property
    def sasl(self) -> bool:
        """Whether the client authenticates with a user name and password."""
        return self.protocol.startswith("SASL_")

    @property
    def tls(self) -> bool:
        """Whether the connection is encrypted (and the broker's certificate checked)."""
        return self.protocol in ("SSL", "SASL_SSL")

    def confluent(self) -> dict[str, str]:
        """The properties of librdkafka, merged into every confluent-kafka client's configuration."""
        config = {"security.protocol": self.protocol}
        if self.sasl:
            config |= {
                "sasl.mechanism": self.mechanism,
                "sasl.username": self.username,
                "sasl.password": self.password,
            }
        if self.tls:
            # The broker's name is checked against its certificate, as a browser would.
            config["ssl.endpoint.identification.algorithm"] = "https"
            for key, path in (
                ("ssl.ca.location", self.ca_location),
                ("ssl.certificate.location", self.certificate_location),
                ("ssl.key.location", self.key_location),
            ):
                if path is not None:
                    config[key] = str(path)
        return config

    def ssl_context(self) -> ssl.SSLContext | None:
        """The context aiokafka encrypts with: the CA to trust and, for mutual TLS, our certificate."""
        if not self.tls:
            return None
        context = ssl.create_default_context(
            ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_location) if self.ca_location else None
        )
        if self.certificate_location is not None:
            key = str(self.key_location) if self.key_location else None
            context.load_cert_chain(str(self.certificate_location), key)
        return context

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments of aiokafka's clients (what Faust hands them, for direct use)."""
        kwargs: dict[str, Any] = {"security_protocol": self.protocol}
        if self.sasl:
            kwargs |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        if self.tls:
            kwargs["ssl_context"] = self.ssl_context()
        return kwargs

    def faust(self) -> dict[str, Any]:
        """Faust's app settings: ``broker_credentials`` carries the protocol, the user and the TLS context."""
        if self.sasl:
            credentials: faust.auth.Credentials = faust.SASLCredentials(
                username=self.username,
                password=self.password,
                ssl_context=self.ssl_context(),
                mechanism=self.mechanism,
            )
        elif self.tls:
            credentials = faust.SSLCredentials(self.ssl_context())
        else:
            return {}
        return {"broker_credentials": credentials}


PLAINTEXT = KafkaSecurity()


def kafka_security(settings: ServiceSettings) -> KafkaSecurity:
    """The security a service's settings ask for."""
    return KafkaSecurity(
        protocol=settings.kafka_security_protocol,
        mechanism=settings.kafka_sasl_mechanism,
        username=settings.kafka_sasl_username,
        password=settings.kafka_sasl_password,
        ca_location=settings.kafka_ssl_ca_location,
        certificate_location=settings.kafka_ssl_certificate_location,
        key_location=settings.kafka_ssl_key_location,
    )
