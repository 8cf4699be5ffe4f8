#!/bin/bash
# Record what a REAL fresh Moodle answers in every state a first-time admin passes through while
# setting up the openSIS integration (the guide's order, the app's order, two side journeys).
#
#   bash scripts/lab/record-journey.sh VERSION LAB PORT OUTDIR
#     VERSION  4.1 | 4.5 | 5.0 (only for the notes)
#     LAB      a site built with moodle-lab's build.sh ... --fresh, not touched since (its first run
#              here saves the fresh site in LAB.fresh/: a pg_dump of the database and a tar of
#              moodledata; every journey starts from that copy)
#     PORT     the site's port (its server keeps running; the database is restored underneath)
#     OUTDIR   one folder per state is written there (OUTDIR/<state>/)
# Secrets seen go to SECRETS (default LAB.fresh/secrets.txt, outside the repository); every state is
# checked with capture_probes.py check before the script goes on.
# Env: MOODLE_LAB (default: shared/moodle-lab beside the repository), ONLY (space-separated journey names: guide app
# token_before_functions restricted_token_refused; default all), ONLY_PROBE (sync: walk the journeys
# again and add only the sync_* probes of capture_probes.py to the states already in OUTDIR, where
# the opensis token works; every other file of those states is left as it is).
set -euo pipefail
[ $# -eq 4 ] || { sed -n '2,17p' "$0"; exit 2; }
VERSION=$1 LAB=$(cd "$2" && pwd) PORT=$3 OUT=$4
HERE=$(cd "$(dirname "$0")" && pwd)
KIT=${MOODLE_LAB:-$(cd "$HERE/../../.." && pwd)/shared/moodle-lab}
export LAB PORT MOODLE_LAB=$KIT
DB=moodle_$(basename "$LAB" | tr -c 'a-zA-Z0-9\n' '_')
FRESH=$LAB.fresh
SECRETS=${SECRETS:-$FRESH/secrets.txt}
BASE=http://127.0.0.1:$PORT
WEB=$LAB/moodle; [ -d "$LAB/moodle/public/admin" ] && WEB=$LAB/moodle/public
export PGPASSWORD=moodlelab
PG="-h 127.0.0.1 -U moodle"
mkdir -p "$OUT" "$FRESH"
touch "$SECRETS"

say() { echo "=== $* ($(date -u +%T))"; }

# ---- the fresh site: saved once, restored before every journey --------------------------------
if [ ! -f "$FRESH/db.dump" ]; then
  [ ! -e "$WEB/auth/userkey" ] && [ ! -e "$LAB/tokens.env" ] || { echo "$LAB is not fresh (auth/userkey or tokens.env)" >&2; exit 1; }
  say "saving the fresh site in $FRESH"
  pg_dump $PG -Fc -f "$FRESH/db.dump.tmp" "$DB" && mv "$FRESH/db.dump.tmp" "$FRESH/db.dump"
  tar -C "$LAB" -cf "$FRESH/moodledata.tar" moodledata
fi
restore() {
  say "restoring the fresh site"
  bash "$HERE/fresh-site.sh" "$LAB"
}

step() { say "step $1"; php "$HERE/journey.php" "$1"; }

# capture STATE DONE TOKENS [EXTRA-NOTE-LINE]
capture() {
  local state=$1 dir=$OUT/$1
  if [ -n "${ONLY_PROBE:-}" ]; then
    [ -d "$dir" ] || { echo "$dir: not recorded before" >&2; exit 1; }
    [ -s "$LAB/tokens.env" ] || { say "$state: no token yet, nothing to add"; return 0; }
    local tmp; tmp=$(mktemp -d)
    python3 "$HERE/capture_probes.py" run --only "$ONLY_PROBE" --state "$state" --base "$BASE" \
      --tokens "$LAB/tokens.env" --out "$tmp" --db "$DB" --secrets "$SECRETS"
    python3 "$HERE/capture_probes.py" check "$SECRETS" "$tmp"
    rm -f "$dir"/sync_*.txt
    cp "$tmp"/* "$dir/" 2>/dev/null || say "$state: no probe sent"
    rm -rf "$tmp"
    return 0
  fi
  say "capture $state"
  rm -rf "$dir"
  local tk=$LAB/tokens.env
  [ -f "$tk" ] || : > "$tk"
  python3 "$HERE/capture_probes.py" run --state "$state" --base "$BASE" --tokens "$tk" --out "$dir" \
    --db "$DB" --secrets "$SECRETS"
  { echo "done:${2:+ $2}"; echo "tokens: ${3:-none}"; [ -z "${4:-}" ] || echo "$4"; } > "$dir/state_notes.txt"
  [ -s "$tk" ] || rm -f "$tk"
  python3 "$HERE/capture_probes.py" check "$SECRETS" "$dir"
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print('  si_A:', s['probes'].get('site_info_opensis'), '| pf_A:', s['probes'].get('pluginfile_opensis'), '| lu_B:', s['probes'].get('login_url'))" "$dir/summary.json"
}

want() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }

if want guide; then
  restore
  capture journey_guide_00_fresh "" ""
  step install_userkey;  capture journey_guide_04_userkey_installed "4" ""
  step enable_userkey;   capture journey_guide_06_userkey_enabled "4 6" ""
  step set_userkey;      capture journey_guide_07_userkey_set "4 6 7" ""
  step enable_wsauth;    capture journey_guide_08_wsauth_enabled "4 6 7 8" ""
  step create_service;   capture journey_guide_09_service_created "4 6 7 8 9" ""
  step service_options;  capture journey_guide_10_service_options "4 6 7 8 9 10" ""
  step enable_ws;        capture journey_guide_11_ws_enabled "4 6 7 8 9 10 11" ""
  step authorise_admin;  capture journey_guide_12_admin_authorised "4 6 7 8 9 10 11 12" ""
  step enable_rest;      capture journey_guide_13_rest_enabled "4 6 7 8 9 10 11 12 13" ""
  step add_functions;    capture journey_guide_14_functions_added "4 6 7 8 9 10 11 12 13 14" ""
  step token_opensis;    capture journey_guide_15a_opensis_token "4 6 7 8 9 10 11 12 13 14 15" "opensis"
  step token_userkey;    capture journey_guide_15b_userkey_token "4 6 7 8 9 10 11 12 13 14 15" "opensis userkey"
fi

if want app; then
  restore
  step install_userkey;  capture journey_app_01_userkey_installed "4" ""
  step enable_userkey;   capture journey_app_02_userkey_enabled "4 6" ""
  step set_userkey;      capture journey_app_03_userkey_set "4 6 7" ""
  step enable_wsauth;    capture journey_app_04_wsauth_enabled "4 6 7 8" ""
  step enable_ws;        capture journey_app_05_ws_enabled "4 6 7 8 11" ""
  step enable_rest;      capture journey_app_06_rest_enabled "4 6 7 8 11 13" ""
  step create_service;   capture journey_app_07_service_created "4 6 7 8 11 13 9" ""
  step service_options;  capture journey_app_08_service_options "4 6 7 8 11 13 9 10" ""
  step add_functions;    capture journey_app_09_functions_added "4 6 7 8 11 13 9 10 14" ""
  step token_opensis;    capture journey_app_10_opensis_token "4 6 7 8 11 13 9 10 14 15" "opensis"
  step authorise_admin;  capture journey_app_11_admin_authorised "4 6 7 8 11 13 9 10 14 15 12" "opensis"
  step token_userkey;    capture journey_app_12_userkey_token "4 6 7 8 11 13 9 10 14 15 12" "opensis userkey"
fi

if want token_before_functions; then
  restore
  for s in install_userkey enable_userkey set_userkey enable_wsauth enable_ws enable_rest create_service \
           service_options token_opensis; do step $s; done
  capture journey_token_before_functions "4 6 7 8 11 13 9 10 15" "opensis" \
    "note: the opensis token was made before step 14 (no function in the service yet)"
fi

if want restricted_token_refused; then
  restore
  for s in install_userkey enable_userkey set_userkey enable_wsauth enable_ws enable_rest create_service \
           restrict_service add_functions; do step $s; done
  say "Create token (Moodle's form, logged in as admin) for the admin on 'opensis'"
  answer=$(python3 "$HERE/token_form.py" "$BASE" opensis)
  echo "  form: $answer"
  # The same check through journey.php (tokens.php's code path): must refuse too.
  set +e; php "$HERE/journey.php" token_opensis; rc=$?; set -e
  [ $rc -eq 3 ] || { echo "journey.php token_opensis did not refuse (rc $rc)" >&2; exit 1; }
  capture journey_restricted_token_refused "4 6 7 8 11 13 9 10 14" "" \
    "wrong: 10 (restrictedusers 1, admin not an authorised user); Create token refused"
  python3 - "$OUT/journey_restricted_token_refused/summary.json" "$answer" <<'EOF'
import json, sys
p, a = sys.argv[1], json.loads(sys.argv[2])
s = json.load(open(p))
if a.get('created'):
    sys.exit('the token form created a token: %r' % a)
s['token_form_answer'] = a['notification']
with open(p, 'w') as f:
    json.dump(s, f, indent=1, sort_keys=False, ensure_ascii=False)
    f.write('\n')
EOF
  python3 "$HERE/capture_probes.py" check "$SECRETS" "$OUT/journey_restricted_token_refused"
fi
say "done: $OUT"
