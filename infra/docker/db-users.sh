#!/usr/bin/env bash
# The compose MariaDB's users, as infra/mariadb.sh makes them for development and a DBA in
# production (docs/security.md, "Database and secrets"): run by compose's one-shot services in
# the mariadb image, as root, against the `mariadb` service.
#
#   db-users.sh owner      infra/db/owner.sql, then the owner's password (before the migration)
#   db-users.sh services   infra/db/grants.sql, then the ingest's and the sink's (after it)
#
# Passwords come from the environment (SQLLINT_OWNER_DB_PASSWORD, SQLLINT_INGEST_DB_PASSWORD,
# SQLLINT_SINK_DB_PASSWORD, MARIADB_ROOT_PASSWORD; compose refuses to start without them) and
# reach the server through stdin and MYSQL_PWD, never argv; nothing here prints one. Idempotent:
# every `docker compose up` runs it again, so a changed password in secrets.env takes effect.
set -euo pipefail

SQL_DIR="${SQLLINT_SQL_DIR:-/sqllint-db}"
HOST="${SQLLINT_DB_HOST:-mariadb}"

die() { echo "db-users.sh: $*" >&2; exit 1; }

root_sql() { MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb --host="$HOST" --user=root --batch; }

set_passwords() {
    # ALTER USER ... ACCOUNT UNLOCK for each role, the statements on stdin.
    local role name value statements=""
    for role in "$@"; do
        name="SQLLINT_${role^^}_DB_PASSWORD"
        value="${!name:-}"
        [[ -n "$value" ]] || die "$name is empty: set it in infra/docker/secrets.env"
        # Safe unquoted in a URL and inside SQL quotes, as infra/mariadb.sh requires.
        [[ "$value" =~ ^[A-Za-z0-9._~-]+$ ]] || die "$name may hold only letters, digits and . _ ~ -"
        statements+="ALTER USER 'sqllint_$role'@'%' IDENTIFIED BY '$value' ACCOUNT UNLOCK;"$'\n'
    done
    root_sql <<<"$statements"
}

case "${1:-}" in
    owner)
        root_sql <"$SQL_DIR/owner.sql"
        set_passwords owner
        echo "db-users.sh: sqllint_owner ready" ;;
    services)
        root_sql <"$SQL_DIR/grants.sql"
        set_passwords ingest sink
        echo "db-users.sh: sqllint_ingest and sqllint_sink ready" ;;
    *) die "usage: db-users.sh owner|services" ;;
esac
