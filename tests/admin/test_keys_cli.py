"""``sqllint-admin keys`` run as operators run it: the installed console script, a real database."""

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from runtime.access import Principal, Role
from runtime.api_keys import verify_key
from runtime.db import create_db_engine
from sink.migrate import upgrade

SCRIPT = Path(sys.executable).with_name("sqllint-admin")


def admin(*args: str, url: str | None, env_name: str = "DATABASE_URL") -> subprocess.CompletedProcess[str]:
    """Run the console script with ``url`` in ``env_name`` only (never on the command line)."""
    assert SCRIPT.is_file(), f"{SCRIPT} is missing: install the project (make bootstrap) to get the script"
    env = {"PATH": "/usr/bin:/bin", **({env_name: url} if url is not None else {})}
    command = [str(SCRIPT), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    password = make_url(url).password if url else None
    if password:
        assert password not in done.stdout + done.stderr, "the database password was printed"
    return done


def _verify(url: str, key: str) -> Principal | None:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return verify_key(conn, key)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.integration)])
def url(request: pytest.FixtureRequest, sqlite_db_url: str) -> str:
    chosen: str = sqlite_db_url if request.param == "sqlite" else request.getfixturevalue("mysql_db_url")
    upgrade(chosen)
    return chosen


def test_create_prints_the_key_alone_last_and_it_verifies(url: str) -> None:
    done = admin("keys", "create", "--tenant", "team-a", "--role", "submitter", "--name", "ci", url=url)
    assert done.returncode == 0, done.stderr
    key = done.stdout.splitlines()[-1]
    assert done.stdout == key + "\n" and key.startswith("sqll_")
    key_id = key.split("_")[1]
    assert key_id in done.stderr and key not in done.stderr
    assert _verify(url, key) == Principal("team-a", Role.SUBMITTER, key_id)


def test_list_shows_every_key_without_secrets_and_filters_by_tenant(url: str) -> None:
    keys = [
        admin("keys", "create", "--tenant", tenant, "--role", role, url=url).stdout.strip()
        for tenant, role in (("team-a", "reader"), ("team-b", "operator"))
    ]
    done = admin("keys", "list", url=url)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == ["KEY_ID", "TENANT", "ROLE", "NAME", "CREATED", "LAST", "USED", "REVOKED"]
    # Oldest first, but MariaDB keeps whole seconds: two keys made within one may come either way.
    assert sorted(row.split()[:3] for row in rows) == sorted([
        [keys[0].split("_")[1], "team-a", "reader"], [keys[1].split("_")[1], "team-b", "operator"],
    ])
    assert not [key for key in keys if key.split("_", 2)[2] in done.stdout]
    only_b = admin("keys", "list", "--tenant", "team-b", url=url).stdout.splitlines()
    assert len(only_b) == 2 and "team-b" in only_b[1]


def test_revoke_stops_the_key_and_an_unknown_id_exits_1(url: str) -> None:
    key = admin("keys", "create", "--tenant", "team-a", "--role", "admin", url=url).stdout.strip()
    key_id = key.split("_")[1]
    done = admin("keys", "revoke", key_id, url=url)
    assert (done.returncode, done.stdout) == (0, f"key {key_id} revoked\n")
    assert _verify(url, key) is None
    (row,) = admin("keys", "list", url=url).stdout.splitlines()[1:]
    assert row.split()[-1].endswith("Z"), row  # the revocation time
    unknown = admin("keys", "revoke", "0123456789abcdef", url=url)
    assert unknown.returncode == 1 and "no key '0123456789abcdef'" in unknown.stderr


def test_url_env_names_the_owner_url(url: str, tmp_path: Path) -> None:
    done = admin("keys", "create", "--url-env", "OWNER_DATABASE_URL", "--tenant", "t1", "--role", "reader",
                 url=url, env_name="OWNER_DATABASE_URL")
    assert done.returncode == 0, done.stderr
    assert _verify(url, done.stdout.strip()) is not None


USAGE_ERRORS = (
    ("keys", "create", "--tenant", "Team-A", "--role", "reader"),
    ("keys", "create", "--tenant", "t", "--role", "root"),
    ("keys", "create", "--role", "reader"),
    ("keys", "revoke"),
    ("keys",),
    ("nothing",),
    (),
)


def test_usage_errors_exit_2_and_write_nothing(sqlite_db_url: str) -> None:
    upgrade(sqlite_db_url)
    for args in USAGE_ERRORS:
        done = admin(*args, url=sqlite_db_url)
        assert done.returncode == 2 and done.stdout == "", done
    assert admin("keys", "list", url=sqlite_db_url).stdout.count("\n") == 1  # the header alone


def test_an_unmigrated_database_is_exit_1_with_a_hint_and_no_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    done = admin("keys", "list", url=url)
    assert done.returncode == 1 and "sink.migrate upgrade" in done.stderr


@pytest.mark.integration
def test_a_refused_login_names_the_database_without_its_password(mysql_db_url: str) -> None:
    wrong = make_url(mysql_db_url).set(password="not-the-password-42")
    done = admin("keys", "list", url=wrong.render_as_string(hide_password=False))
    assert done.returncode == 1 and "***" in done.stderr and "not-the-password-42" not in done.stderr


def test_help_lists_the_commands() -> None:
    done = admin("--help", url=None)
    assert done.returncode == 0 and "keys" in done.stdout
