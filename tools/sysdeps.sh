#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when they are missing.
# Runs as part of `make test`; needs root (CI is root) or sudo.
set -euo pipefail
need=()
# openscad renders the enclosure in tests (hardware/).
command -v openscad >/dev/null 2>&1 || need+=(openscad)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "sysdeps: installing ${need[*]}"
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
