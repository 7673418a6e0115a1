#!/usr/bin/env bash
# The alert rules are checked, not only written:
#   1. the rules, their promtool tests and the docs name metrics, labels and label values exactly as
#      the apps' /metrics serves them (specs over the live metrics registry, libs/observability);
#   2. promtool check rules: syntax, durations, templates;
#   3. promtool test rules: each tested alert fires on the failure its test injects and stays quiet
#      on a healthy series (deploy/prometheus/tests).
# promtool comes with the Debian package `prometheus` (tools/ci/install-system-packages.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: install the Debian package prometheus (bash tools/ci/install-system-packages.sh)" >&2
  exit 1
fi

echo "==> series, labels and label values against the live registry; metric names in docs"
npx jest -c libs/observability/jest.config.cjs --testPathPatterns 'alert-rules|metric-names\.docs'

echo "==> promtool check rules"
promtool check rules deploy/prometheus/alerts.yml

echo "==> promtool test rules"
promtool test rules deploy/prometheus/tests/*.test.yml
