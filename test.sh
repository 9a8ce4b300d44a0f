#!/usr/bin/env bash
# Runs every test of Relais on this machine, installing what the tests need first.
# Usage: ./test.sh [go test flags...]    e.g. ./test.sh -run TestDevSetAccuracy ./intents
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v go >/dev/null 2>&1; then
  echo "test.sh: Go 1.26 or newer is needed (https://go.dev/dl/)" >&2
  exit 1
fi

go mod download
go vet ./...
if [ $# -eq 0 ]; then
  set -- ./...
fi
go test "$@"
