#!/usr/bin/env sh
# Builds tools/kafka-mock/kafka-mock (needs gcc and Debian's librdkafka-dev).
# Usage: tools/kafka-mock/build.sh [output-path]   (default: ${TMPDIR:-/tmp}/oms-kafka-mock/kafka-mock)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"${TMPDIR:-/tmp}/oms-kafka-mock/kafka-mock"}
mkdir -p "$(dirname "$out")"
if [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  echo "kafka-mock: librdkafka-dev is missing (apt-get install -y librdkafka-dev)" >&2
  exit 1
fi
# Compile beside the target, then rename: concurrent test runs never see a half-written binary.
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -o "$out.$$" "$here/kafka-mock.c" -lrdkafka -lpthread -ldl
mv -f "$out.$$" "$out"
echo "$out"
