#!/usr/bin/env bash
# A short fuzzing run of each target in fuzz/ (Moodle's answers, the URL normaliser, plugin
# ZIPs and version.php, openSIS's answers, the capture files) when cargo-fuzz is installed;
# without it, says so and exits 0.
# FUZZ_SECONDS per target (default 20). cargo-fuzz needs nightly features: the stable
# toolchain is allowed them with RUSTC_BOOTSTRAP=1. A crash fails the script and leaves the
# input in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
targets=(decode_envelope public_config normalize_site_url moodle_answers plugin_zip version_php
  sis_answers capture_parse)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: cargo-fuzz is not installed (cargo install cargo-fuzz --locked); skipped"
  exit 0
fi

export RUSTC_BOOTSTRAP=1
bash fuzz/seed.sh
for target in "${targets[@]}"; do
  cargo fuzz build "$target"
done

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in "${targets[@]}"; do
  if ! cargo fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=1024 \
      -max_len=65536 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz-smoke: $target crashed; the input is in fuzz/artifacts/$target/"
    exit 1
  fi
  runs="$(grep -Eo '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')"
  echo "fuzz-smoke: $target: ${seconds} s, $runs inputs, no crash"
done
echo "fuzz-smoke: ${#targets[@]} targets fuzzed, no crash"
