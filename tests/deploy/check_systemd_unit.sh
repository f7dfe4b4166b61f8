#!/bin/sh
# Checks the shipped systemd unit with `systemd-analyze verify`, pointed at the
# binary just built. Any output is a failure: systemd-analyze exits 0 even for
# unknown keys and only warns.
# Usage: check_systemd_unit.sh UNIT_FILE PIPELINED_BINARY
set -eu
unit=$1
binary=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sed "s|/usr/local/bin/pipelined|$binary|g" "$unit" > "$scratch/pipelined.service"
output=$(systemd-analyze verify "$scratch/pipelined.service" 2>&1) || { echo "$output"; exit 1; }
if [ -n "$output" ]; then
  echo "$output"
  exit 1
fi
echo "pipelined.service: systemd-analyze verify found nothing to complain about"
