"""A private, secured Kafka broker: SCRAM over TLS with ACLs, from the same jars as the shared one.

The shared broker of the tests is plaintext and open, as development wants it; proving the
security settings needs a broker that refuses what production refuses. This one runs on free
ports in a folder of its own, with a CA and a broker certificate made by ``openssl`` for it,
SCRAM-SHA-512 users written at ``kafka-storage format`` time, and the KRaft authorizer
(nothing allowed without an ACL, the admin a super user). The controller listener stays
plaintext on 127.0.0.1: only the broker inside the same process talks to it.
"""

import base64
import logging
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from runtime.kafka_security import KafkaSecurity

ROOT = Path(__file__).resolve().parent.parent
KAFKA_SH = ROOT / "infra" / "kafka" / "kafka.sh"
ADMIN = "admin"
# librdkafka reports every refused connection while the broker starts; only the outcome matters.
QUIET = logging.getLogger("harness.secure_kafka.client")
QUIET.setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class SecureBroker:
    """Where the broker listens, the CA to trust, and every user's password."""

    bootstrap: str
    ca: Path
    passwords: dict[str, str]
    folder: Path

    def security(self, user: str, password: str | None = None) -> KafkaSecurity:
        """SASL_SSL as ``user`` (with its own password unless another is given)."""
        return KafkaSecurity(
            protocol="SASL_SSL", mechanism="SCRAM-SHA-512", username=user,
            password=self.passwords[user] if password is None else password, ca_location=self.ca,
        )


def _openssl(*args: str | Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("openssl is missing: install Debian's openssl package (make tools does)")
    subprocess.run([openssl, *map(str, args)], check=True, capture_output=True)


def make_tls(folder: Path) -> tuple[Path, Path]:
    """A CA, and a certificate it signed for 127.0.0.1; returns the CA and the broker's PEM (key + chain)."""
    names = ("ca.key", "ca.pem", "broker.key", "broker.csr", "broker.pem", "broker.ext")
    ca_key, ca, key, csr, cert, ext = (folder / name for name in names)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=sqllint test CA",
             "-keyout", ca_key, "-out", ca, "-addext", "basicConstraints=critical,CA:TRUE")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", csr)
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n")
    _openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
             "-extfile", ext, "-out", cert)
    keystore = folder / "broker-keystore.pem"  # Java's PEM keystore: the private key, then the chain
    keystore.write_text(key.read_text() + cert.read_text() + ca.read_text())
    return ca, keystore


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _properties(folder: Path, port: int, cport: int, ca: Path, keystore: Path, admin_password: str) -> str:
    jaas = (f'org.apache.kafka.common.security.scram.ScramLoginModule required username="{ADMIN}" '
            f'password="{admin_password}";')
    return "\n".join([
        "process.roles=broker,controller", "node.id=1", f"controller.quorum.voters=1@127.0.0.1:{cport}",
        f"listeners=SASL_SSL://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}",
        f"advertised.listeners=SASL_SSL://127.0.0.1:{port}", "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=SASL_SSL",
        "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms=SCRAM-SHA-512", "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
        f"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={jaas}",
        "ssl.keystore.type=PEM", f"ssl.keystore.location={keystore}",
        "ssl.truststore.type=PEM", f"ssl.truststore.location={ca}",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        # ANONYMOUS is the broker itself on the plaintext controller listener (127.0.0.1 only).
        f"super.users=User:{ADMIN};User:ANONYMOUS", "allow.everyone.if.no.acl.found=false",
        f"log.dirs={folder / 'data'}", "num.partitions=1", "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0", "",
    ])


def _libs() -> Path:
    version = subprocess.run([str(KAFKA_SH), "version"], check=True, capture_output=True, text=True).stdout
    return ROOT / ".cache" / "kafka" / version.strip() / "libs"


def _java(folder: Path, libs: Path, *args: str) -> list[str]:
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java is missing: infra/bootstrap.sh installs openjdk-17-jre-headless")
    log = folder / "log4j2.properties"
    log.write_text("rootLogger.level=INFO\nrootLogger.appenderRef.f.ref=F\nappender.f.type=File\n"
                   f"appender.f.name=F\nappender.f.fileName={folder / 'broker.log'}\n"
                   "appender.f.layout.type=PatternLayout\nappender.f.layout.pattern=[%d] %p %m (%c)%n\n")
    return [java, "-Xmx512m", "-Xms128m", f"-Dlog4j2.configurationFile={log}", "-cp", f"{libs}/*", *args]


def _wait_ready(broker: SecureBroker, process: subprocess.Popen[bytes], timeout: float) -> None:
    config = {"bootstrap.servers": broker.bootstrap, **broker.security(ADMIN).confluent()}
    admin = AdminClient({**config, "logger": QUIET})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"secured broker exited; see {broker.folder / 'broker.log'}")
        try:
            admin.list_topics(timeout=3)
            return
        except KafkaException:
            time.sleep(0.5)
    raise RuntimeError(f"secured broker not ready in {timeout}s; see {broker.folder / 'broker.log'}")


@contextmanager
def secure_broker(folder: Path, users: Iterable[str], timeout: float = 90.0) -> Iterator[SecureBroker]:
    """Start the broker with ``admin`` and ``users`` as SCRAM users; stop it (by its pid) on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    libs = _libs()
    ca, keystore = make_tls(folder)
    passwords = {name: secrets.token_urlsafe(16) for name in (ADMIN, *users)}
    port, cport = _free_ports(2)
    config = folder / "server.properties"
    config.write_text(_properties(folder, port, cport, ca, keystore, passwords[ADMIN]))
    scram = [arg for name, pw in passwords.items()
             for arg in ("--add-scram", f"SCRAM-SHA-512=[name={name},password={pw}]")]
    # The format of `kafka-storage random-uuid`, without a JVM start.
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    fmt = _java(folder, libs, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config))
    subprocess.run([*fmt, *scram], check=True, capture_output=True)
    broker = SecureBroker(f"127.0.0.1:{port}", ca, passwords, folder)
    with open(folder / "broker.stdout", "wb") as out:
        process = subprocess.Popen(_java(folder, libs, "kafka.Kafka", str(config)), stdout=out, stderr=out)
    try:
        _wait_ready(broker, process, timeout)
        yield broker
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
