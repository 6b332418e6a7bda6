#!/usr/bin/env bash
# Runs every test: installs and starts what the tests need (PostgreSQL 15 + PostGIS, Redis, Chromium, nginx),
# then `dotnet test` over the whole solution, against SQLite and the real PostgreSQL.
# Extra arguments go to `dotnet test` (e.g. ./test.sh --filter Incidents).
set -euo pipefail
cd "$(dirname "$0")"

source scripts/services.sh
LOG="$(mktemp /tmp/halo-test.XXXXXX.log)"
trap 'halo_services_stop; rm -f "$LOG"' EXIT

dotnet tool restore >/dev/null
dotnet build Halo.slnx -c Release -nologo -v q
set +e
# A test stuck past the hang timeout is stopped and named (blame), so a hang fails the run instead of using up CI's time.
dotnet test Halo.slnx -c Release --no-build --nologo --logger "console;verbosity=normal" \
  --blame-hang-timeout "${HALO_TEST_HANG_TIMEOUT:-10m}" --blame-hang-dump-type none "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e

# CI keeps only the tail of the output, so each failure is repeated here, named, with its message.
awk '/^  Failed [^ ]/ { n = 8; print "FAILED:" substr($0, 9) ; next }
     n > 0 && /^  (Passed|Skipped|Failed) / { n = 0 }
     n > 0 && (!/^ +at / || /\/tests\//) { print "  " $0; n-- }' "$LOG"
# One plain closing line for the whole run, summed over the test assemblies.
awk '/^ +Passed: +[0-9]+ *$/ { p += $2 } /^ +Failed: +[0-9]+ *$/ { f += $2 }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$LOG"
exit "$status"
