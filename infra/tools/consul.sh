#!/usr/bin/env bash
# Consul 1.15.4 (MPL-2.0; later releases are not), the agent the Consul tests register workers with:
# built once with the installed Go into ${SQLLINT_TOOLS_DIR:-$HOME/.cache/sqllint/tools}/bin/consul.
# Idempotent: prints the binary's path and builds only when it is missing. Never another version.
set -euo pipefail
source "$(dirname "$0")/lib/go_tool.sh"
# consul's own go.mod cannot pin its api module's version: 1.21.1 is the one 1.15.4 was released with.
go_tool consul github.com/hashicorp/consul v1.15.4 github.com/hashicorp/consul/api@v1.21.1
