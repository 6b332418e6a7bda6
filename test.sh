#!/usr/bin/env bash
# Runs every test: installs and starts what the tests need (PostgreSQL 15 + PostGIS, Redis, Chromium),
# then `dotnet test` over the whole solution, against SQLite and the real PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")"

source scripts/services.sh
trap halo_services_stop EXIT

dotnet tool restore >/dev/null
dotnet build Halo.slnx -c Release -nologo -v q
dotnet test Halo.slnx -c Release --no-build --nologo --logger "console;verbosity=normal" "$@"
