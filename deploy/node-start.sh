#!/bin/sh
# Starts node with a V8 heap bound derived from the container's memory limit, so that an app
# collects garbage before the kernel's OOM killer ends it (V8 sizes its default bound from the
# host's memory, not the container's). Used as the image's entrypoint: node-start.sh /app.
#   OMS_NODE_HEAP_MB       the bound in MiB (overrides the derived one; 0 = none)
#   OMS_NODE_HEAP_PERCENT  share of the memory limit given to the heap (default 50: the rest is
#                          code, buffers, young generation and native memory)
# A --max-old-space-size already in NODE_OPTIONS wins; no limit (cgroup "max") = no bound.
set -eu
cgroup="${OMS_CGROUP_ROOT:-/sys/fs/cgroup}"
limit=""
if [ -r "$cgroup/memory.max" ]; then
  limit=$(cat "$cgroup/memory.max")
elif [ -r "$cgroup/memory/memory.limit_in_bytes" ]; then
  limit=$(cat "$cgroup/memory/memory.limit_in_bytes")
fi
heap="${OMS_NODE_HEAP_MB:-}"
if [ -z "$heap" ] && [ -n "$limit" ] && [ "$limit" != "max" ]; then
  limit_mb=$((limit / 1048576))
  # cgroup v1 reports "no limit" as a number near 2^63.
  if [ "$limit_mb" -lt 1048576 ]; then
    heap=$((limit_mb * ${OMS_NODE_HEAP_PERCENT:-50} / 100))
  fi
fi
case " ${NODE_OPTIONS:-} " in
  *--max-old-space-size*) heap="" ;;
esac
if [ -n "$heap" ] && [ "$heap" != "0" ]; then
  exec node --max-old-space-size="$heap" "$@"
fi
exec node "$@"
