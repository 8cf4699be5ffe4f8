#!/usr/bin/env bash
# Opens the SIS Moodle Setup wizard: installs what is missing, builds the UI and the app
# (release), and starts it. Choose "Try it with a simulated Moodle" to rehearse.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
(cd ui && npm run --silent build)
cargo run --release --locked -p sis-moodle-setup-app
