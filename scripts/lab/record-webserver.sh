#!/bin/bash
# Record the doctor's HTTP exchanges with a lab Moodle behind a real web server, one recording per
# hosting state of webserver.sh, for the replay tests. Needs a lab site in its good configuration
# (moodle-lab's build.sh; fault.php reset), its tokens in LAB/tokens.env and the CLI built.
#
#   bash scripts/lab/record-webserver.sh LAB PORT STACK [STATES...]   # STACK: apache | nginx
#
# For each state (all of webserver.sh's when none is named): webserver.sh LAB PORT STACK STATE,
# record-proxy.py on PORT+800 (tokens from LAB/tokens.env as their fixed stand-ins), the doctor
# against the proxy, then the proxy is stopped. Writes crates/moodle-sim/webserver-runs/STACK/:
#   STATE.jsonl.xz     every exchange, in order (secrets replaced)
#   STATE.report.json  the doctor's JSON report
#   states.txt         "STATE: exit N" for each state recorded (a state run again replaces its line)
# At the end: webserver.sh LAB PORT off (PHP's built-in server again) and fault.php reset.
# SECRETS=FILE (default LAB/recorded-secrets.txt) lists every secret seen, outside the repository.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,15p' "$0"; exit 2; }
LAB=$(cd "$1" && pwd); PORT=$2; STACK=$3; shift 3
STATES=${*:-$(sed -n 's/^STATES="\(.*\)"$/\1/p' "$(dirname "$0")/webserver.sh")}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
KIT=$(cd "$HERE/../shared/moodle-lab" && pwd)
OUT=$HERE/crates/moodle-sim/webserver-runs/$STACK
CLI=${CLI:-$HERE/target/debug/sis-moodle-setup}   # CLI=…: a copy, so that a build meanwhile cannot swap it
PROXY=$((PORT + 800))
SECRETS=${SECRETS:-$LAB/recorded-secrets.txt}
PASSWORD='Admin#Lab2024'
EMAIL=admin@school.example.org
mkdir -p "$OUT"; touch "$OUT/states.txt"
export SIS_MOODLE_SETUP_CONFIG_DIR; SIS_MOODLE_SETUP_CONFIG_DIR=$(mktemp -d)
PROXY_PID=""

finish() {
  [ -n "$PROXY_PID" ] && { kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null || true; }
  bash "$HERE/scripts/lab/webserver.sh" "$LAB" "$PORT" off || true
  ( cd "$KIT" && LAB=$LAB PORT=$PORT php fault.php reset >/dev/null ) || true
  rm -rf "$SIS_MOODLE_SETUP_CONFIG_DIR"
}
trap finish EXIT

set_state() {  # set_state STATE "exit N": one line per state in states.txt, in recording order
  grep -v "^$1: " "$OUT/states.txt" > "$OUT/states.txt.new" || true
  echo "$1: $2" >> "$OUT/states.txt.new"
  mv "$OUT/states.txt.new" "$OUT/states.txt"
}

for state in $STATES; do
  echo "==== $STACK $state"
  if ! bash "$HERE/scripts/lab/webserver.sh" "$LAB" "$PORT" "$STACK" "$state"; then
    echo "webserver.sh failed for $state: not recorded" >&2
    set_state "$state" "not recorded (webserver.sh failed)"
    continue
  fi
  set -a; . "$LAB/tokens.env"; set +a
  python3 "$HERE/scripts/lab/record-proxy.py" --upstream "http://127.0.0.1:$PORT" --listen "$PROXY" \
    --out "$OUT/$state.jsonl.xz" --secrets "$SECRETS" --password "$PASSWORD" \
    --token "opensis=$MOODLE_OPENSIS_TOKEN" --token "userkey=$MOODLE_USERKEY_TOKEN" &
  PROXY_PID=$!
  for _ in $(seq 1 50); do curl -s -o /dev/null -H "X-Recorder-Probe: 1" "http://127.0.0.1:$PROXY/" && break; sleep 0.1; done
  set +e
  "$CLI" doctor --url "http://127.0.0.1:$PROXY" --admin-email "$EMAIL" --format json > "$OUT/$state.report.json"
  code=$?
  set -e
  kill "$PROXY_PID"; wait "$PROXY_PID" || { echo "the proxy refused to write $state.jsonl.xz" >&2; code="$code (recording refused)"; }
  PROXY_PID=""
  set_state "$state" "exit $code"
  echo "$state: exit $code, verdict: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("verdict"))' "$OUT/$state.report.json" 2>/dev/null)"
done
