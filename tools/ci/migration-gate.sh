#!/usr/bin/env bash
# Migration gate: on a fresh database, every migration must be reversible and the schema
# must come back identical.
#   1. up, one migration at a time; after each: down --steps 1 must restore the previous
#      schema exactly, and up --steps 1 must produce the same schema again;
#   2. the whole cycle: up (all) -> pg_dump -> down (all) -> up -> pg_dump -> diff.
# Any difference or failure exits non-zero. Uses the built migrator (built here if missing).
# Server: OMS_TEST_POSTGRES_DSN (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/../.."

admin_dsn="${OMS_TEST_POSTGRES_DSN:-postgres://postgres@127.0.0.1:5432/postgres}"
migrator=dist/apps/migrator/main.cjs
if [[ ! -f "$migrator" || "${MIGRATION_GATE_BUILD:-true}" == "true" ]]; then
  # No cache: the bundle must contain the migrations as they are in this checkout.
  NX_DAEMON=false npx nx run migrator:build --skip-nx-cache --outputStyle=static >/dev/null
fi

database="oms_migration_gate_$(date +%s)_$$"
work=$(mktemp -d /tmp/oms-migration-gate.XXXXXX)
dsn="${admin_dsn%/*}/${database}"
cleanup() {
  psql -q "$admin_dsn" -c "DROP DATABASE IF EXISTS ${database} WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q -v ON_ERROR_STOP=1 "$admin_dsn" -c "CREATE DATABASE ${database}" >/dev/null

migrate() { OMS_POSTGRES_DSN="$dsn" node "$migrator" "$@" >>"$work/migrator.log"; }
# Schema only (the bookkeeping table of applied migrations aside), without the volatile parts
# (version banner, comments, psql restrict keys).
dump() { pg_dump --schema-only --no-owner --no-privileges --exclude-table='public.typeorm_migrations*' "$dsn" | grep -v -E '^(--|\\restrict|\\unrestrict)' | cat -s >"$1"; }
same() {
  if ! diff -u "$1" "$2" >"$work/diff"; then
    echo "migration gate FAILED: $3" >&2
    cat "$work/diff" >&2
    exit 1
  fi
}

total=$(OMS_POSTGRES_DSN="$dsn" node "$migrator" status | grep -c '^\[pending\]')
echo "migration gate: ${total} migrations on ${database}"

dump "$work/schema-0.sql"
for ((i = 1; i <= total; i++)); do
  migrate up --steps 1
  name=$(OMS_POSTGRES_DSN="$dsn" node "$migrator" status | grep '^\[applied\]' | tail -n 1 | cut -d' ' -f2)
  dump "$work/schema-$i.sql"
  migrate down --steps 1
  dump "$work/after-down.sql"
  same "$work/schema-$((i - 1)).sql" "$work/after-down.sql" "down of ${name} does not restore the schema before it"
  migrate up --steps 1
  dump "$work/after-up.sql"
  same "$work/schema-$i.sql" "$work/after-up.sql" "${name} does not produce the same schema after up -> down -> up"
  echo "  ok  ${name}"
done

dump "$work/first-up.sql"
migrate down --steps "$total"
dump "$work/all-down.sql"
same "$work/schema-0.sql" "$work/all-down.sql" "down (all) does not return to the empty schema"
migrate up
dump "$work/second-up.sql"
same "$work/first-up.sql" "$work/second-up.sql" "schema after up -> down (all) -> up differs from the first up"
echo "migration gate passed: up -> down -> up leaves an identical schema"
