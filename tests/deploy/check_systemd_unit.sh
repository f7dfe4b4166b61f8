#!/bin/sh
# Checks the shipped systemd units with `systemd-analyze verify`, their
# /usr/local/bin/NAME pointed at the binaries just built. This works without
# systemd running (in a container too): verify loads the units offline.
# Any output is a failure: systemd-analyze exits 0 even for unknown keys and
# only warns.
# Usage: check_systemd_unit.sh UNIT_DIR BINARY...
#   (every *.service in UNIT_DIR; each BINARY stands in for
#   /usr/local/bin/<its file name>)
set -eu
unit_dir=$1
shift
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin" "$scratch/units"
for binary in "$@"; do
  ln -s "$binary" "$scratch/bin/$(basename "$binary")"
done
status=0
for unit in "$unit_dir"/*.service; do
  name=$(basename "$unit")
  sed "s|/usr/local/bin/|$scratch/bin/|g" "$unit" > "$scratch/units/$name"
done
# Together, so that Requires=pipelined.service in the demo unit resolves.
for unit in "$scratch"/units/*.service; do
  name=$(basename "$unit")
  output=$(cd "$scratch/units" && SYSTEMD_UNIT_PATH="$scratch/units:" systemd-analyze verify "$name" 2>&1) || {
    echo "$name: systemd-analyze verify failed:"; echo "$output"; status=1; continue; }
  if [ -n "$output" ]; then
    echo "$name: systemd-analyze verify complains:"; echo "$output"; status=1
  else
    echo "$name: systemd-analyze verify found nothing to complain about"
  fi
done
exit $status
