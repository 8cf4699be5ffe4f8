#!/usr/bin/env bash
# How long `cargo build` takes after one edit of a file (default: the openSIS connector's API
# client): a comment line put in near the top (every line below it moves), the build timed, the
# file put back (and built, untimed) before each of three edits; the median is printed. Needs a finished build first (it makes one).
#
#   bash scripts/measure-rebuild.sh [FILE] [CARGO-BUILD-ARGS...]   (default args: --workspace)
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=${1:-crates/sis-connector/src/api.rs}
shift || true
ARGS=("${@:---workspace}")
[ -f "$FILE" ] || { echo "no such file: $FILE" >&2; exit 2; }
backup=$(mktemp)
cp "$FILE" "$backup"
trap 'cp "$backup" "$FILE"; rm -f "$backup"' EXIT
cargo build "${ARGS[@]}" -q
times=()
for i in 1 2 3; do
  cp "$backup" "$FILE"
  cargo build "${ARGS[@]}" -q   # back to the file as it is, not timed
  sed -i "3i // measure-rebuild edit $i" "$FILE"
  start=$(date +%s.%N)
  cargo build "${ARGS[@]}" -q
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
printf 'rebuild after one edit of %s (cargo build %s): %.2f s (median of %s s)\n' \
  "$FILE" "${ARGS[*]}" "$median" "$(printf '%.2f ' "${times[@]}")"
