"""The database users of infra/db against the real MariaDB: each does its work and nothing more.

``infra/mariadb.sh ensure`` applies infra/db/owner.sql, migrates as the owner,
then applies infra/db/grants.sql; these tests use the users it made, on its
``sqllint`` database, and clean up the rows they write. A refusal is asserted
with the server's own error (1142, "... command denied to user ..."), so a grant
that is too wide fails here.
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, delete, insert, text, update
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import DBAPIError

from harness import resources
from harness.readiness import wait_ready
from harness.servers import MARIADB_SH, ROOT, run_script
from harness.settings import StackSettings
from harness.stack import new_stack
from runtime.db import create_db_engine
from runtime.tables import idempotency_keys, jobs, tasks

pytestmark = pytest.mark.integration
ROLES = ("ingest", "sink", "owner")
TABLE_DENIED = 1142  # ER_TABLEACCESS_DENIED_ERROR: "<COMMAND> command denied to user ..."


@pytest.fixture(scope="module")
def ensured() -> str:
    """What the real script prints (stdout and stderr) when it brings the server and users up."""
    proc = subprocess.run(["bash", str(MARIADB_SH), "ensure"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def urls(ensured: str) -> dict[str, str]:
    """Each role's URL, as a deployment would put it in DATABASE_URL."""
    return {role: run_script(MARIADB_SH, "url", role).strip() for role in ROLES}


@pytest.fixture(scope="module")
def engines(urls: dict[str, str]) -> Iterator[dict[str, Engine]]:
    made = {role: create_db_engine(url) for role, url in urls.items()}
    yield made
    for engine in made.values():
        engine.dispose()


def password(url: str) -> str:
    return url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]


def refused(engine: Engine, work: Callable[[Connection], object], command: str, user: str) -> None:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        work(conn)
    code, message = caught.value.orig.args  # type: ignore[union-attr]
    assert code == TABLE_DENIED, message
    assert message.startswith(f"{command} command denied to user '{user}'"), message


def job_row(job_id: str) -> dict[str, object]:
    now = datetime.now(UTC).replace(tzinfo=None)
    return {"job_id": job_id, "submission_type": "SINGLE_FILE", "status": "ACCEPTED",
            "options_json": "{}", "tasks_succeeded": 0, "tasks_failed": 0, "violation_count": 0,
            "created_at": now, "updated_at": now}


def test_the_script_prints_no_password_and_no_default(ensured: str, urls: dict[str, str]) -> None:
    for role, url in urls.items():
        secret = password(url)
        assert len(secret) >= 32 or os.environ.get(f"SQLLINT_{role.upper()}_DB_PASSWORD") == secret
        assert secret not in ensured, f"infra/mariadb.sh ensure printed the {role} password"
        assert f"sqllint_{role}:***@" in ensured
    credentials = ROOT / "var" / "mariadb" / "credentials"
    assert credentials.stat().st_mode & 0o077 == 0, "generated passwords: readable by their owner only"


def test_the_owner_migrates_and_owns_the_schema(engines: dict[str, Engine], urls: dict[str, str]) -> None:
    env = {**os.environ, "OWNER_URL": urls["owner"]}
    proc = subprocess.run([sys.executable, "-m", "sink.migrate", "upgrade", "--url-env", "OWNER_URL"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "sqllint_owner:***@" in proc.stderr and password(urls["owner"]) not in proc.stdout + proc.stderr
    scratch = f"scratch_{uuid.uuid4().hex[:8]}"
    with engines["owner"].begin() as conn:
        conn.execute(text(f"CREATE TABLE {scratch} (id INT PRIMARY KEY)"))
        conn.execute(text(f"ALTER TABLE {scratch} ADD COLUMN note TEXT"))
        conn.execute(text(f"DROP TABLE {scratch}"))


def test_the_ingest_writes_first_rows_and_keys_and_nothing_else(engines: dict[str, Engine]) -> None:
    ingest, job_id, key = engines["ingest"], str(uuid.uuid4()), f"test-{uuid.uuid4()}"
    try:
        with ingest.begin() as conn:
            conn.execute(insert(jobs).values(job_row(job_id)))
            now = datetime.now(UTC).replace(tzinfo=None)
            conn.execute(insert(idempotency_keys).values(idempotency_key=key, request_hash="h", job_id=job_id,
                                                         response_json="", created_at=now))
            conn.execute(update(idempotency_keys).where(idempotency_keys.c.idempotency_key == key)
                         .values(response_json="{}"))
            found = text("SELECT COUNT(*) FROM linting_jobs WHERE job_id = :j")
            assert conn.execute(found, {"j": job_id}).scalar() == 1
            conn.execute(delete(idempotency_keys).where(idempotency_keys.c.idempotency_key == key))
        user = "sqllint_ingest"
        refused(ingest, lambda c: c.execute(delete(jobs).where(jobs.c.job_id == job_id)), "DELETE", user)
        refused(ingest, lambda c: c.execute(update(jobs).values(status="FAILED")), "UPDATE", user)
        refused(ingest, lambda c: c.execute(text("ALTER TABLE linting_jobs ADD COLUMN x INT")), "ALTER", user)
        refused(ingest, lambda c: c.execute(text("DROP TABLE linting_tasks")), "DROP", user)
    finally:
        with engines["sink"].begin() as conn:
            conn.execute(delete(jobs).where(jobs.c.job_id == job_id))


def test_the_sink_upserts_and_deletes_and_changes_no_schema(engines: dict[str, Engine]) -> None:
    sink, job_id = engines["sink"], str(uuid.uuid4())
    task = {"task_id": str(uuid.uuid4()), "job_id": job_id, "ordinal": 0, "file_name": "a.sql",
            "status": "QUEUED", "created_at": datetime.now(UTC).replace(tzinfo=None)}
    task["updated_at"] = task["created_at"]
    with sink.begin() as conn:
        for status in ("QUEUED", "SUCCEEDED"):  # the second write takes the ON DUPLICATE KEY path
            stmt = mysql.insert(tasks).values({**task, "status": status})
            conn.execute(stmt.on_duplicate_key_update(status=stmt.inserted.status))
        stmt = mysql.insert(jobs).values(job_row(job_id))
        conn.execute(stmt.on_duplicate_key_update(status=stmt.inserted.status))
        status = text("SELECT status FROM linting_tasks WHERE job_id = :j")
        assert conn.execute(status, {"j": job_id}).scalar() == "SUCCEEDED"
        assert conn.execute(delete(tasks).where(tasks.c.job_id == job_id)).rowcount == 1
        assert conn.execute(delete(jobs).where(jobs.c.job_id == job_id)).rowcount == 1
    user = "sqllint_sink"
    refused(sink, lambda c: c.execute(text("CREATE TABLE sink_made (id INT)")), "CREATE", user)
    refused(sink, lambda c: c.execute(text("DROP TABLE linting_jobs")), "DROP", user)
    refused(sink, lambda c: c.execute(text("ALTER TABLE linting_tasks ADD COLUMN x INT")), "ALTER", user)
    now = datetime.now(UTC).replace(tzinfo=None)
    forged = insert(idempotency_keys).values(idempotency_key=f"test-{uuid.uuid4()}", request_hash="h",
                                             job_id=job_id, response_json="{}", created_at=now)
    refused(sink, lambda c: c.execute(forged), "INSERT", user)


@pytest.mark.timeout(240)
def test_a_stack_runs_as_the_least_privileged_users_and_logs_no_password(
    urls: dict[str, str], kafka_bootstrap: str, tmp_path: Path
) -> None:
    with resources.temporary_topics(kafka_bootstrap, "dbusers") as topics:
        settings = StackSettings(kafka_bootstrap, urls["sink"], tmp_path, storage=tmp_path / "storage",
                                 topics=topics, group=f"dbusers-{resources.short_id()}", partitions=4,
                                 port=resources.free_port())
        stack = new_stack(settings)
        try:
            stack.start("ingest", "ingest", DATABASE_URL=urls["ingest"])
            stack.start("sink", "sink", DATABASE_URL=urls["sink"])
            stack.start("processors", "processors")
            wait_ready(stack, 120)
            key = {"Idempotency-Key": f"test-{uuid.uuid4()}"}
            status, accepted = stack.request("POST", "/api/v1/jobs", {"sql_content": "select a from t\n"},
                                             headers=key)
            assert status == 202, accepted
            job = stack.wait_job(accepted["job_id"])
            assert job["job_status"] == "COMPLETED", job
            assert stack.request("POST", "/api/v1/jobs", {"sql_content": "select a from t\n"},
                                 headers=key)[1]["job_id"] == accepted["job_id"]  # the key's row, replayed
        finally:
            stack.stop_all()
    logs = {path.name: path.read_text(errors="replace") for path in settings.logs.glob("*.log")}
    assert set(logs) >= {"ingest.log", "sink.log", "processors.log"}
    for name, log in logs.items():
        assert "command denied" not in log, f"{name}: a grant is missing:\n{log[-3000:]}"
        for role, url in urls.items():
            assert password(url) not in log, f"{name} shows the {role} password"
    _forget(urls["owner"], accepted["job_id"])


def _forget(owner_url: str, job_id: str) -> None:
    """The shared database keeps no row of this test."""
    engine = create_db_engine(owner_url)
    try:
        with engine.begin() as conn:
            for table in (tasks, jobs, idempotency_keys):
                conn.execute(delete(table).where(table.c.job_id == job_id))
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["mysql+pymysql//sqllint_sink:Pw-9f3e1c@db/sqllint",
                                 "mysql+pymysql://sqllint_sink:Pw-9f3e1c@db:notaport/sqllint"])
@pytest.mark.parametrize("service", ["ingest", "sink"])
def test_a_service_refusing_its_url_does_not_print_the_password(service: str, url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
           "INGEST_PORT": str(resources.free_port()), "SINK_BATCH_SIZE": "0"}  # a settings error too
    proc = subprocess.run([sys.executable, "-m", service], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60, check=False)
    assert proc.returncode != 0
    assert "Pw-9f3e1c" not in proc.stdout + proc.stderr


def test_the_test_admin_password_is_generated_and_never_printed(ensured: str) -> None:
    url = run_script(MARIADB_SH, "test-url").strip()
    secret = password(url)
    assert url.startswith("mysql+pymysql://sqllint_test:")
    assert len(secret) >= 32 or os.environ.get("SQLLINT_TEST_DB_PASSWORD") == secret
    assert secret not in ensured, "infra/mariadb.sh ensure printed the test-admin password"
    assert "sqllint-test-dev" not in MARIADB_SH.read_text(), "a fixed development password is back"
    assert f"test={secret}" in (ROOT / "var" / "mariadb" / "credentials").read_text().splitlines() or (
        os.environ.get("SQLLINT_TEST_DB_PASSWORD") == secret
    )
