#!/usr/bin/env bash
# Chromium for the web page's end-to-end tests: Debian's `chromium` package, installed when missing
# (as root; apt-get update first). Playwright drives it by path, so no browser is ever downloaded
# (`playwright install` is never run). Idempotent: prints the browser's path.
set -euo pipefail

if ! command -v chromium >/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "chromium.sh: chromium is missing; run as root or: sudo apt-get install chromium" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Another install may hold dpkg's lock (other tools' scripts run beside this one): wait for it.
    apt-get -o DPkg::Lock::Timeout=300 update >&2
    # The fonts come as recommends; without them every glyph in a screenshot is a box.
    apt-get -o DPkg::Lock::Timeout=300 install -y chromium fonts-dejavu-core >&2
fi
command -v chromium
