#!/usr/bin/env bash
# A private MariaDB server for development and tests, run as a plain background
# process (there is no systemd here, and Debian's policy-rc.d refuses service starts).
#
#   mariadb.sh ensure       install mariadb-server if missing, start, apply infra/db/grants.sql
#   mariadb.sh stop         stop the server started by `ensure` (by its pid)
#   mariadb.sh status       running or not
#   mariadb.sh url ROLE     the URL of one least-privilege user (ROLE: ingest, sink or owner), for
#                           command substitution only: DATABASE_URL="$(infra/mariadb.sh url sink)"
#   mariadb.sh test-url     the server URL for tests (may create/drop databases named test_%)
#
# Users (infra/db/grants.sql): sqllint_ingest and sqllint_sink for the services, sqllint_owner for
# migrations (DDL). Their passwords: SQLLINT_INGEST_DB_PASSWORD, SQLLINT_SINK_DB_PASSWORD and
# SQLLINT_OWNER_DB_PASSWORD when set (letters, digits, . _ ~ -), else random ones made at the first
# `ensure` and kept in var/mariadb/credentials (mode 0600, never committed): no password is a
# default. `ensure` prints URLs with *** in place of the password.
# The test-admin user sqllint_test (databases test_% only, on this 127.0.0.1-bound server) likewise:
# SQLLINT_TEST_DB_PASSWORD, else a random one kept in the credentials file, made once per checkout
# so that test sessions running at the same time share it; `test-url` gives it to the tests only.
# MARIADB_PORT (3307). If DATABASE_URL names a MySQL/MariaDB server that already answers, `ensure`
# leaves it alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/var/mariadb"
DATADIR="$DIR/data"
PIDFILE="$DIR/mariadbd.pid"
PORT="${MARIADB_PORT:-3307}"
CREDENTIALS="$DIR/credentials"
OWNER_SQL="$ROOT/infra/db/owner.sql"
GRANTS="$ROOT/infra/db/grants.sql"
READY_TIMEOUT="${MARIADB_READY_TIMEOUT:-60}"
SOCKET="$DIR/mariadb.sock"
# A unix socket path must fit in 108 bytes; deep checkouts fall back to /tmp.
if [[ ${#SOCKET} -gt 100 ]]; then SOCKET="/tmp/sqllint-mariadb-$(echo "$ROOT" | md5sum | cut -c1-8).sock"; fi
export PATH="$PATH:/usr/sbin:/sbin"

die() { echo "mariadb.sh: $*" >&2; exit 1; }

server_bin() { command -v mariadbd || command -v mysqld || true; }

install_server() {
    [[ -n "$(server_bin)" ]] && return 0
    [[ "$(id -u)" -eq 0 ]] || die "mariadb-server is not installed; as root run: apt-get install -y mariadb-server"
    echo "mariadb.sh: installing mariadb-server with apt-get"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server >/dev/null
    [[ -n "$(server_bin)" ]] || die "apt-get installed mariadb-server but no mariadbd/mysqld was found"
}

running_pid() {
    local pid
    [[ -f "$PIDFILE" ]] || return 1
    pid="$(cat "$PIDFILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

root_sql() { mariadb --protocol=socket --socket="$SOCKET" -uroot -N -B "$@"; }

external_server_answers() {
    # True when DATABASE_URL is a mysql URL whose server accepts its credentials.
    [[ "${DATABASE_URL:-}" == mysql* ]] || return 1
    local py=python3
    [[ -x "$ROOT/.venv/bin/python" ]] && py="$ROOT/.venv/bin/python"
    "$py" - <<'EOF' 2>/dev/null
import os, sys
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["DATABASE_URL"], connect_args={"connect_timeout": 5})
with engine.connect() as conn:
    print("mariadb.sh: DATABASE_URL answers, version", conn.execute(text("SELECT VERSION()")).scalar())
EOF
}

start_server() {
    mkdir -p "$DIR"
    if [[ ! -d "$DATADIR/mysql" ]]; then
        echo "mariadb.sh: initialising $DATADIR"
        mariadb-install-db --no-defaults --datadir="$DATADIR" --user="$(id -un)" \
            --auth-root-authentication-method=socket --skip-test-db >"$DIR/install-db.log" 2>&1 \
            || { cat "$DIR/install-db.log" >&2; die "mariadb-install-db failed"; }
    fi
    local bin cmd
    bin="$(server_bin)"
    cmd="$(printf '%q ' "$bin" --no-defaults --datadir="$DATADIR" --socket="$SOCKET" --port="$PORT" \
        --bind-address=127.0.0.1 --pid-file="$DIR/server.pid" --log-error="$DIR/mariadb.err" \
        --user="$(id -un)" --skip-log-bin --innodb-buffer-pool-size=128M --character-set-server=utf8mb4 \
        --collation-server=utf8mb4_unicode_ci --max-connections=300)"
    # Detached (setsid) so it outlives the shell or test session that started it. Fd 9, the
    # lock `ensure` holds, is closed for it: a server inheriting it would hold the lock for
    # its whole life, and every later `ensure` would wait forever.
    setsid bash -c "echo \$\$ >$(printf '%q' "$PIDFILE"); exec $cmd" </dev/null >"$DIR/stdout.log" 2>&1 9>&- &
    local waited=0
    until mariadb-admin --protocol=socket --socket="$SOCKET" -uroot ping >/dev/null 2>&1; do
        if ! running_pid >/dev/null || [[ "$waited" -ge $((READY_TIMEOUT * 2)) ]]; then
            tail -n 30 "$DIR/mariadb.err" >&2 || true
            die "mariadbd did not answer on $SOCKET"
        fi
        sleep 0.5; waited=$((waited + 1))
    done
}

password() {
    # The password of role $1: from the environment, else the credentials file, else (when $2 is
    # "new") a new random one.
    local role="$1" name value
    name="SQLLINT_${role^^}_DB_PASSWORD"
    value="${!name:-}"
    if [[ -z "$value" && -f "$CREDENTIALS" ]]; then value="$(sed -n "s/^$role=//p" "$CREDENTIALS")"; fi
    if [[ -z "$value" ]]; then
        # Only `ensure` makes one (it sets it on the server too, under its lock).
        [[ "${2:-}" == new ]] || die "no password for $role yet: run infra/mariadb.sh ensure first"
        value="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
        mkdir -p "$DIR"
        (umask 077 && echo "$role=$value" >>"$CREDENTIALS")
    fi
    # Safe unquoted in a URL and inside SQL quotes: never escaped, so never mangled on the way.
    [[ "$value" =~ ^[A-Za-z0-9._~-]+$ ]] || die "$name may hold only letters, digits and . _ ~ -"
    echo "$value"
}

unlock() {
    # Each user's password through stdin (never argv, where ps shows it), and the user unlocked.
    local role statements=""
    for role in "$@"; do
        statements+="ALTER USER 'sqllint_$role'@'%' IDENTIFIED BY '$(password "$role" new)' ACCOUNT UNLOCK;"$'\n'
    done
    root_sql <<<"$statements"
}

migrate_as_owner() {
    # The grants name tables, so the schema must be at head first, migrated by its owner.
    local py=python3
    [[ -x "$ROOT/.venv/bin/python" ]] && py="$ROOT/.venv/bin/python"
    (cd "$ROOT" && DATABASE_URL="$(role_url owner)" "$py" -m sink.migrate upgrade >"$DIR/migrate.log" 2>&1) \
        || { cat "$DIR/migrate.log" >&2; die "migrating the sqllint database as sqllint_owner failed"; }
}

create_users() {
    # infra/db: the owner, the migrations, then the services' users (docs/security.md); the
    # test-admin user only on databases named test_*.
    root_sql <"$OWNER_SQL"
    unlock owner
    migrate_as_owner
    root_sql <"$GRANTS"
    unlock ingest sink
    local test_password
    test_password="$(password test new)"  # its own statement: a failure stops the script (set -e)
    root_sql <<EOF
CREATE USER IF NOT EXISTS 'sqllint_test'@'%' IDENTIFIED BY '$test_password';
ALTER USER 'sqllint_test'@'%' IDENTIFIED BY '$test_password';
GRANT ALL PRIVILEGES ON \`test\\_%\`.* TO 'sqllint_test'@'%';
FLUSH PRIVILEGES;
EOF
}

ensure() {
    if external_server_answers; then return 0; fi
    install_server
    # One `ensure` at a time: parallel test sessions must not each make a different first password.
    mkdir -p "$DIR"
    exec 9>"$DIR/ensure.lock"
    flock 9
    if running_pid >/dev/null; then
        echo "mariadb.sh: already running (pid $(running_pid))"
    else
        start_server
    fi
    create_users
    echo "mariadb.sh: MariaDB $(root_sql -e 'SELECT VERSION()') ready on 127.0.0.1:$PORT"
    local role
    for role in ingest sink owner; do echo "mariadb.sh: $role DATABASE_URL=$(masked_url "$role")"; done
    echo "mariadb.sh: the URLs with their passwords: infra/mariadb.sh url ingest|sink|owner"
}

stop() {
    local pid waited=0
    if ! pid="$(running_pid)"; then echo "mariadb.sh: not running"; return 0; fi
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        if [[ "$waited" -ge 60 ]]; then kill -KILL "$pid" 2>/dev/null || true; break; fi
        sleep 0.5; waited=$((waited + 1))
    done
    rm -f "$PIDFILE"
    echo "mariadb.sh: stopped ($pid)"
}

role_url() {
    case "$1" in ingest | sink | owner) ;; *) die "usage: mariadb.sh url ingest|sink|owner" ;; esac
    local secret
    secret="$(password "$1")"  # its own statement: a failure here must stop the script (set -e)
    echo "mysql+pymysql://sqllint_$1:$secret@127.0.0.1:$PORT/sqllint"
}
masked_url() { echo "mysql+pymysql://sqllint_$1:***@127.0.0.1:$PORT/sqllint"; }
test_url() {
    local secret
    secret="$(password test)"
    echo "mysql+pymysql://sqllint_test:$secret@127.0.0.1:$PORT/"
}

case "${1:-}" in
    ensure | start) ensure ;;
    stop) stop ;;
    status) if pid="$(running_pid)"; then echo "running pid=$pid port=$PORT"; else echo "stopped"; exit 1; fi ;;
    url) role_url "${2:-}" ;;
    test-url) test_url ;;
    *) die "usage: mariadb.sh ensure|stop|status|url ROLE|test-url" ;;
esac
