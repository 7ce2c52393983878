"""A MariaDB server of the test's own (own datadir, port and socket), so it can really be stopped.

The shared server of ``infra/mariadb.sh`` serves every other test; the db-outage
scenario needs a server it may take down for 30 s without hurting anyone.
"""

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from harness.resources import free_port

PASSWORD = "faults-only"


def _bin(*names: str) -> str:
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    raise RuntimeError(f"none of {names} is installed (apt-get install mariadb-server)")


class PrivateMariaDB:
    """``start`` / ``stop`` a mariadbd process on a datadir under ``base``."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.datadir = base / "data"
        self.socket = Path("/tmp") / f"faults-{os.getpid()}-{free_port()}.sock"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def server_url(self) -> str:
        """Root over TCP, no database: for CREATE DATABASE."""
        return f"mysql+pymysql://faults:{PASSWORD}@127.0.0.1:{self.port}/"

    def _install(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [_bin("mariadb-install-db", "mysql_install_db"), "--no-defaults", f"--datadir={self.datadir}",
             f"--user={_user()}", "--auth-root-authentication-method=socket", "--skip-test-db"],
            check=True, capture_output=True, timeout=120,
        )

    def start(self, timeout: float = 60) -> None:
        """Start the server (installing the datadir the first time) and wait until it answers."""
        first = not self.datadir.exists()
        if first:
            self._install()
        with (self.base / "mariadbd.out").open("ab") as log:
            self.proc = subprocess.Popen(
                [_bin("mariadbd", "mysqld"), "--no-defaults", f"--datadir={self.datadir}",
                 f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
                 f"--log-error={self.base / 'mariadb.err'}", f"--user={_user()}", "--skip-log-bin",
                 "--innodb-buffer-pool-size=64M", "--character-set-server=utf8mb4",
                 "--collation-server=utf8mb4_unicode_ci", "--max-connections=200"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while subprocess.run([_bin("mariadb-admin", "mysqladmin"), f"--socket={self.socket}", "-uroot",
                              "ping"], capture_output=True, check=False).returncode != 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((self.base / "mariadb.err").read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        if first:
            self._sql(f"CREATE USER 'faults'@'%' IDENTIFIED BY '{PASSWORD}';"
                      "GRANT ALL PRIVILEGES ON *.* TO 'faults'@'%'; FLUSH PRIVILEGES;")

    def _sql(self, statements: str) -> None:
        subprocess.run([_bin("mariadb", "mysql"), f"--socket={self.socket}", "-uroot", "-e", statements],
                       check=True, capture_output=True, timeout=30)

    def stop(self, timeout: float = 60) -> None:
        """A real, orderly shutdown: every connection drops, new ones are refused."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def create_database(self, name: str = "sqllint") -> str:
        """A fresh database on this server; returns its URL."""
        engine = create_engine(self.server_url)
        with engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        engine.dispose()
        return f"{self.server_url}{name}"

    def close(self) -> None:
        """Stop the server and remove its files."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
        self.socket.unlink(missing_ok=True)


def _user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name
