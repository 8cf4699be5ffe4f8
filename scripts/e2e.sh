#!/usr/bin/env bash
# End-to-end tests of the desktop app: builds it (with the UI), then drives it over WebDriver
# under Xvfb, inside a private D-Bus session with an unlocked keyring (as on a desktop).
# Needs xvfb, webkit2gtk-driver, gnome-keyring and tauri-driver (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
# SIS_APP_BIN names an app already built or installed (scripts/package.sh: the package's).
if [ -z "${SIS_APP_BIN:-}" ]; then
  (cd ui && npm run --silent build)
  cargo build -p sis-moodle-setup-app --locked
fi
dbus-run-session -- bash -c '
  export XDG_DATA_HOME="$(mktemp -d)"  # a fresh, empty keyring every run
  echo -n e2e-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  node --test --test-concurrency=1 tests/e2e/setup.test.mjs tests/e2e/journey.test.mjs tests/e2e/real-journey.test.mjs tests/e2e/bugs.test.mjs tests/e2e/watch.test.mjs tests/e2e/secrets.test.mjs tests/e2e/setup-for-me.test.mjs' 2> >(grep -v "Failed to set fd limit" >&2)
