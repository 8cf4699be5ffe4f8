#!/usr/bin/env bash
# Every check the project has: the UI (types, lint, tests, build — the app embeds ui/dist),
# then Rust formatting, lints (warnings are errors) and all tests. The keyring tests run
# against a private Secret Service when dbus-run-session and gnome-keyring are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

(cd ui && npm run --silent typecheck && npm run --silent lint && npm test --silent && npm run --silent build)

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  dbus-run-session -- bash -c '
    export XDG_DATA_HOME="$(mktemp -d)"  # a fresh, empty keyring every run
    echo -n ci-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    SIS_TEST_KEYRING=1 cargo test --workspace --locked' 2> >(grep -v "Failed to set fd limit" >&2)
else
  cargo test --workspace --locked
fi

# The replay of every captured Moodle answer, with its counts in the log.
cargo test -p moodle-sim --locked --test replay_every_capture every_capture -- --nocapture 2>/dev/null \
  | grep -E '^replayed '
