#!/usr/bin/env bash
# Installs the Debian packages the tests run for real (a machine keeps nothing between sessions).
set -euo pipefail
need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need[*]} (install them with apt-get, or run as root)" >&2
    exit 1
  fi
  echo "== installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
