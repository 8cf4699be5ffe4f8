#!/bin/bash
# Record "configure" and "doctor --fix" on a real lab site, every exchange in order, for the
# replay tests (crates/cli/tests/configure_replay.rs). Needs a site built with moodle-lab's
# build.sh --fresh and a fresh copy of it (fresh-site.sh), the CLI built, and a keyring session
# (run it under dbus-run-session with gnome-keyring unlocked, as scripts/test.sh does).
#
#   bash scripts/lab/record-configure.sh VERSION LAB PORT [SECRETS_FILE]
#
# Writes crates/moodle-sim/admin-runs/VERSION/:
#   configure.jsonl.xz  fresh site → configure --yes (with the auth_userkey ZIP), configure again
#                       (plans nothing), configure --undo, configure --yes again
#   fix.jsonl.xz        for each fault of fault.php FIXES: fault on → doctor --fix --yes (with the
#                       auth_userkey ZIP; with the fault's own tokens where fault.php made some
#                       of another account), and fix.faults.txt: each fault with its exit.
#                       "userkey_uninstalled+upgraded" is the fault after the admin opened
#                       Notifications (php admin/cli/upgrade.php), which Moodle asks for first.
# ONLY=fix records the doctor --fix runs alone, ONLY=configure the configure runs alone.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,18p' "$0"; exit 2; }
VERSION=$1; LAB=$(cd "$2" && pwd); PORT=$3
SECRETS=${4:-$LAB/recorded-secrets.txt}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
KIT=$(cd "$HERE/../shared/moodle-lab" && pwd)
OUT=$HERE/crates/moodle-sim/admin-runs/$VERSION
CLI=${CLI:-$HERE/target/debug/sis-moodle-setup}   # CLI=…: a copy, so that a build meanwhile cannot swap it
PROXY=$((PORT + 800))
PASSWORD='Admin#Lab2024'
EMAIL=admin@school.example.org
FIXES=${FIXES:-"rest_disabled ws_disabled wsauth_disabled userkey_disabled mapping_username keylifetime_60 service_disabled files_off restricted_on functions_missing userkey_unauthorized userkey_iprestriction userkey_updateuser userkey_createuser maintenance climaintenance opensis_token_invalid token_expired token_owner_not_admin token_owner_wsrole site_policy_wsrole userkey_uninstalled userkey_uninstalled+upgraded admin_forcepasswordchange admin_not_fully_setup duplicate_admin_email reverseproxy auth_config_override"}
LOG=$LAB/recorded; mkdir -p "$OUT" "$LOG"
export SIS_MOODLE_SETUP_CONFIG_DIR; SIS_MOODLE_SETUP_CONFIG_DIR=$(mktemp -d)

record() {  # record OUTFILE [--token NAME=VALUE]... -- then runs the rest of the script's step
  python3 "$HERE/scripts/lab/record-proxy.py" --upstream "http://127.0.0.1:$PORT" --listen "$PROXY" \
    --out "$1" --secrets "$SECRETS" --password "$PASSWORD" "${@:2}" &
  PROXY_PID=$!
  for _ in $(seq 1 50); do curl -s -o /dev/null -H "X-Recorder-Probe: 1" "http://127.0.0.1:$PROXY/" && break; sleep 0.1; done
}
stop_recording() { kill "$PROXY_PID"; wait "$PROXY_PID" || true; }
cli() { echo "$PASSWORD" | "$CLI" "$@" --password-stdin; }

# ---- configure on the fresh site, again, undo, and again ----
if [ "${ONLY:-}" != fix ]; then
bash "$HERE/scripts/lab/fresh-site.sh" "$LAB"
record "$OUT/configure.jsonl.xz"
start=$(date +%s.%N)
set +e
cli configure --url "http://127.0.0.1:$PROXY" --profile rec --yes --plugin-zip "$LAB/userkey.zip" \
    --admin-email "$EMAIL" --format json > "$LOG/configure.1.json"; echo "configure: exit $?"
end=$(date +%s.%N)
cli configure --profile rec --yes --format json > "$LOG/configure.2.json"; echo "again: exit $?"
cli configure --profile rec --undo --yes > "$LOG/configure.3.txt"; echo "undo: exit $?"
cli configure --profile rec --yes --format json > "$LOG/configure.4.json"; echo "after undo: exit $?"
set -e
stop_recording
echo "configure on the fresh site took $(echo "$end - $start" | bc) s"
fi

[ "${ONLY:-}" = configure ] && exit 0

# ---- doctor --fix for each fault ----
( cd "$KIT" && LAB=$LAB PORT=$PORT php fault.php reset >/dev/null )
set -a; . "$LAB/tokens.env"; set +a
record "$OUT/fix.jsonl.xz" --token "opensis=$MOODLE_OPENSIS_TOKEN" --token "userkey=$MOODLE_USERKEY_TOKEN"
: > "$OUT/fix.faults.txt"
for run in $FIXES; do
  fault=${run%+upgraded}
  # A reset writes a new token into tokens.env for one a fault deleted: the client is given
  # the live ones, recorded as the same stand-ins.
  set -a; . "$LAB/tokens.env"; set +a
  curl -s -o /dev/null -H "X-Recorder-Probe: 1" \
    "http://127.0.0.1:$PROXY/__recorder/tokens?opensis=$MOODLE_OPENSIS_TOKEN&userkey=$MOODLE_USERKEY_TOKEN"
  ( cd "$KIT" && LAB=$LAB PORT=$PORT php fault.php "$fault" on >/dev/null )
  [ "$run" = "$fault" ] || ( cd "$LAB/moodle" && php admin/cli/upgrade.php --non-interactive >/dev/null )
  tokens=(MOODLE_OPENSIS_TOKEN="$MOODLE_OPENSIS_TOKEN" MOODLE_USERKEY_TOKEN="$MOODLE_USERKEY_TOKEN")
  if [ -f "$LAB/tokens.$fault.env" ]; then
    other=$(set -a; . "$LAB/tokens.$fault.env"; echo "$MOODLE_OPENSIS_TOKEN $MOODLE_USERKEY_TOKEN")
    read -r o u <<< "$other"
    curl -s -o /dev/null -H "X-Recorder-Probe: 1" "http://127.0.0.1:$PROXY/__recorder/tokens?opensis_other=$o&userkey_other=$u"
    tokens=(MOODLE_OPENSIS_TOKEN="$o" MOODLE_USERKEY_TOKEN="$u")
  fi
  set +e
  echo "$PASSWORD" | env "${tokens[@]}" "$CLI" doctor --fix --url "http://127.0.0.1:$PROXY" --admin-email "$EMAIL" \
      --yes --plugin-zip "$LAB/userkey.zip" --password-stdin --format json > "$LOG/fix.$run.json"
  echo "$run: exit $?" | tee -a "$OUT/fix.faults.txt"
  set -e
  ( cd "$KIT" && LAB=$LAB PORT=$PORT php fault.php reset >/dev/null )
done
stop_recording
python3 - "$OUT" <<'PY'
import lzma, json, sys, os
out = sys.argv[1]
for name in ("configure.jsonl.xz", "fix.jsonl.xz"):
    rows = [json.loads(l) for l in lzma.open(os.path.join(out, name), "rt")]
    print(name, len(rows), "exchanges")
PY
