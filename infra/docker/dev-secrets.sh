#!/usr/bin/env bash
# Writes infra/docker/secrets.env for a development compose stack: a random password for every
# secret compose.yml requires (the MariaDB root and the owner's, the ingest's and the sink's
# database users, Grafana's admin) and a random OPERATOR_TOKEN, so that no development password
# exists anywhere (docs/security.md, "Database and secrets"). Keeps what the file already holds,
# adds only what is missing, and prints names only, never a value. The file is the owner's only
# (mode 0600) and git-ignored. Then: docker compose -f infra/docker/compose.yml --env-file
# infra/docker/secrets.env up --build
set -euo pipefail

FILE="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/secrets.env}"
NAMES=(MARIADB_ROOT_PASSWORD SQLLINT_OWNER_DB_PASSWORD SQLLINT_INGEST_DB_PASSWORD SQLLINT_SINK_DB_PASSWORD
       GRAFANA_ADMIN_PASSWORD OPERATOR_TOKEN)

umask 077
touch "$FILE"
chmod 600 "$FILE"
for name in "${NAMES[@]}"; do
    if grep -q "^$name=" "$FILE"; then
        echo "dev-secrets.sh: $name kept"
        continue
    fi
    # 192 bits as hex: letters and digits only, safe in a URL and in SQL quotes unescaped.
    value="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf '%s=%s\n' "$name" "$value" >>"$FILE"
    echo "dev-secrets.sh: $name written"
done
echo "dev-secrets.sh: $FILE holds the stack's secrets (mode 0600); never commit or print it"
