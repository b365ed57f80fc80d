#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test (packages/plugin-dashboard).
# Idempotent: does nothing when /usr/bin/chromium is already there. playwright-core drives it;
# it never downloads a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
