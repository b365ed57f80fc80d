#!/usr/bin/env bash
# Installs Debian's Alertmanager and Prometheus (for promtool) for the plugin-alerts tests.
# Idempotent: returns at once when both binaries are present. Neither service is started here;
# the tests start Alertmanager themselves on 127.0.0.1 with a temp storage path.
set -euo pipefail
if command -v prometheus-alertmanager >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus-alertmanager prometheus >/dev/null
# The packages may start services where an init system runs them: the tests use their own instance.
if command -v service >/dev/null 2>&1; then
  $SUDO service prometheus-alertmanager stop >/dev/null 2>&1 || true
  $SUDO service prometheus stop >/dev/null 2>&1 || true
fi
command -v prometheus-alertmanager >/dev/null
command -v promtool >/dev/null
