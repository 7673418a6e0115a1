#!/usr/bin/env bash
# Deployment checks that run without a Docker engine or a helm binary.
#   bash tools/deploy-check/run.sh           # static + images
#   bash tools/deploy-check/run.sh static    # schema, yamllint, compose, chart render, workflows, env names, metrics, own tests
#   bash tools/deploy-check/run.sh images    # what deploy/Dockerfile puts in each image, built and started
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:-all}"

# Debian packages: yamllint, docker-compose, and Go with sprig + yaml.v2 for the template
# renderer (tools/deploy-check/render) that stands in for `helm template` here.
ensure_packages() {
  local need=()
  command -v yamllint >/dev/null 2>&1 || need+=(yamllint)
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  command -v go >/dev/null 2>&1 || need+=(golang-go)
  [ -d /usr/share/gocode/src/github.com/Masterminds/sprig ] || need+=(golang-github-masterminds-sprig-dev)
  [ -d /usr/share/gocode/src/gopkg.in/yaml.v2 ] || need+=(golang-gopkg-yaml.v2-dev)
  if [ ${#need[@]} -eq 0 ]; then
    return
  fi
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
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

  echo "==> values, env names, templates (rendered), metrics, workflows, compose, Dockerfile"
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
