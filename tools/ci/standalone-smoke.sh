#!/usr/bin/env bash
# Starts OMS the way the README does (`npm start`, memory drivers) on spare ports, drives one
# order from create to CONFIRMED over REST, checks the ops endpoints, the banner and the console,
# then stops it with SIGTERM.
set -euo pipefail
http=${SMOKE_HTTP_PORT:-18080} grpc=${SMOKE_GRPC_PORT:-15051} ops=${SMOKE_OPS_PORT:-19090}
log=$(mktemp)
OMS_HTTP_ADDR=127.0.0.1:$http OMS_GRPC_ADDR=127.0.0.1:$grpc OMS_METRICS_ADDR=127.0.0.1:$ops \
  node tools/dev/start-standalone.mjs >"$log" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap 'stop; echo "--- standalone log (tail)"; tail -n 20 "$log"' EXIT

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$ops/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$ops/readyz" >/dev/null

base=http://127.0.0.1:$http
created=$(curl -fsS -X POST "$base/v1/orders" -H 'content-type: application/json' -H "Idempotency-Key: smoke-$$" \
  -d '{"customerId":"smoke","currency":"USD","items":[{"sku":"SKU-1","qty":1,"price":{"currency":"USD","amountMinor":"999"}}]}')
id=$(printf '%s' "$created" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).order.id))')
curl -fsS -X POST "$base/v1/orders/$id/pay" -H "Idempotency-Key: smoke-pay-$$" >/dev/null
status=""
for _ in $(seq 1 40); do
  status=$(curl -fsS "$base/v1/orders/$id" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).order.status))')
  [ "$status" = ORDER_STATUS_CONFIRMED ] && break
  sleep 0.05
done
[ "$status" = ORDER_STATUS_CONFIRMED ] || { echo "order $id ended $status, expected ORDER_STATUS_CONFIRMED within 2 s" >&2; exit 1; }
for path in livez readyz healthz metrics; do curl -fsS "http://127.0.0.1:$ops/$path" >/dev/null; done
grep -q "Console   http://127.0.0.1:$http/console/" "$log" || { echo "no banner naming the console in the npm start output" >&2; exit 1; }
curl -fsS "$base/console/" | grep -q '<title>OMS console</title>' || { echo "npm start does not serve the console at /console/" >&2; exit 1; }
echo "standalone smoke: order $id CONFIRMED; ops endpoints answer; banner printed; console served"
