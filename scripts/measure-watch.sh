#!/usr/bin/env bash
# Measures the desktop app's CPU while it watches 50 schools: a simulated Moodle (the command
# line's demo), 50 saved schools watched every 30 minutes, the release app under Xvfb; after
# its first round of checks, the CPU time of the app and its WebKit processes over 60 s.
# (The schools have no tokens: their checks stop at step 15, which does not matter once idle.)
set -euo pipefail
cd "$(dirname "$0")/.."
(cd ui && npm run --silent build)
cargo build --release --locked -p sis-moodle-setup-app -p sis-moodle-setup-cli
config=$(mktemp -d)
out=$(mktemp)
target/release/sis-moodle-setup demo >"$out" 2>&1 &
demo=$!
Xvfb :92 -screen 0 1280x860x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $demo $xvfb 2>/dev/null; pkill -f "SIS_WATCH_MEASURE" 2>/dev/null || true' EXIT
sleep 2
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$out" | head -1)
python3 - "$config" "$url" <<'PY'
import json, sys, secrets
config, url = sys.argv[1], sys.argv[2]
profiles = [{"id": secrets.token_hex(8), "name": f"School {i:02d}", "moodle_url": url,
             "admin_email": "admin@school.example.org",
             "watch": {"enabled": True, "interval_minutes": 30}} for i in range(50)]
json.dump({"profiles": profiles}, open(f"{config}/profiles.json", "w"))
PY
DISPLAY=:92 SIS_MOODLE_SETUP_CONFIG_DIR="$config" dbus-run-session -- bash -c '
  export XDG_DATA_HOME=$(mktemp -d)
  echo -n measure | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec target/release/sis-moodle-setup-app' >/dev/null 2>&1 &
sleep 20
app=$(pgrep -n -f target/release/sis-moodle-setup-app)
checked=$(ls "$config/history" 2>/dev/null | wc -l)
ticks() {  # CPU ticks of the app and every process below it
  local total=0
  for pid in $app $(pgrep -P "$app") $(for c in $(pgrep -P "$app"); do pgrep -P "$c"; done); do
    [ -r "/proc/$pid/stat" ] || continue
    set -- $(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep 60
after=$(ticks)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$app/status")
echo "schools watched: 50 (histories written after the first round: $checked)"
awk -v t=$((after - before)) -v hz="$hz" 'BEGIN { printf "idle CPU while watching 50 schools: %.2f %% of one core over 60 s (%d ticks)\n", 100 * t / hz / 60, t }'
echo "app RSS: $((rss / 1024)) MiB"
kill "$app" 2>/dev/null || true
