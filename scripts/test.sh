#!/usr/bin/env bash
# Every check the project has: formatting, lints (warnings are errors), all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
