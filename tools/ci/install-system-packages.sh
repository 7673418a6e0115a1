#!/usr/bin/env bash
# Debian packages the checks need: librdkafka (Kafka-protocol mock broker), a C compiler for its
# host program, openssl (certificates of the TLS tests), docker-compose (compose file validation),
# yamllint, pgbench (benchmarks), promtool (package prometheus: alert rule checks and tests) and
# chromium (the console's browser suite: Playwright cannot download a browser of its own here).
# Installs only what is missing.
set -euo pipefail
need=()
dpkg -s librdkafka-dev >/dev/null 2>&1 || need+=(librdkafka-dev)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v yamllint >/dev/null 2>&1 || need+=(yamllint)
command -v pg_isready >/dev/null 2>&1 || need+=(postgresql-client)
command -v pgbench >/dev/null 2>&1 || need+=(postgresql-contrib)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages present"
  exit 0
fi
echo "installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
# Only promtool is wanted: a Prometheus server started by the package would take :9090, the apps' ops port.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl disable --now prometheus
fi
