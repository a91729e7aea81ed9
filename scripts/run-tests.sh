#!/usr/bin/env bash
# The whole test suite: installs what npm cannot (Chromium, for the browser
# tests) when it is missing, then runs every test/**/*.test.ts with node:test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium for the browser tests (apt-get install chromium)..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Chromium at /usr/bin/chromium: install it (Debian: sudo apt-get install chromium)." >&2
    exit 1
  fi
fi
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/fixtures/*' | sort)
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}" "$@"
