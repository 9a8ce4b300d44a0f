#!/usr/bin/env bash
# Runs every test of Relais on this machine, setting up what the tests need first.
#
#   ./test.sh [go test flags and packages...]     e.g. ./test.sh -run TestDevSetAccuracy ./intents
#
# Redis: tests use REDIS_URL when it is set (CI sets it), the embedded in-process store otherwise.
# Browser tests (e2e/) run when Chromium is installed or RELAIS_BROWSER_TESTS=1; with
# RELAIS_BROWSER_TESTS=1 a missing Chromium is installed from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v go >/dev/null 2>&1; then
  echo "test.sh: Go 1.26 or newer is needed (https://go.dev/dl/)" >&2
  exit 1
fi

chromium_path() { command -v chromium || command -v chromium-browser || true; }
if [ "${RELAIS_BROWSER_TESTS:-}" = 1 ] && [ -z "$(chromium_path)" ]; then
  echo "test.sh: installing Chromium for the browser tests (apt-get install chromium)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
if [ -n "$(chromium_path)" ]; then
  export RELAIS_BROWSER_TESTS=1 CHROMIUM_PATH="${CHROMIUM_PATH:-$(chromium_path)}"
else
  echo "test.sh: no Chromium, browser tests skipped (RELAIS_BROWSER_TESTS=1 installs it)" >&2
fi
[ -n "${REDIS_URL:-}" ] || echo "test.sh: REDIS_URL unset, tests use the embedded store" >&2

go mod download
go vet ./...
if [ $# -eq 0 ]; then
  set -- ./...
fi
go test "$@"
