#!/usr/bin/env bash
# Install what the tests need (Python packages; Chromium and fonts from Debian when root), run them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests (Debian packages)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
  else
    echo "Chromium is not installed: browser journeys will be skipped (apt-get install chromium)." >&2
  fi
fi
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
[ "$status" = 5 ] && { echo "pytest collected no tests" >&2; exit 1; }
exit "$status"
