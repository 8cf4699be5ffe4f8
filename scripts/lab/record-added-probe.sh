#!/bin/bash
# Record ONLY a probe added later into states captured earlier (their other files are left as they
# are), on a lab site switched into each state with moodle-lab's configure.php / fault.php.
#
#   [PROBE=pluginfile_opensis|sync] bash scripts/lab/record-added-probe.sh LAB PORT CAPDIR [DEBUG_CAPDIR]
#     CAPDIR        e.g. crates/moodle-sim/captures/4.5: every state of the list below that has a
#                   folder there gets <state>/pluginfile_opensis.txt (PROBE=sync: the sync_*.txt
#                   files of capture_probes.py and sync_side_effects.txt)
#     DEBUG_CAPDIR  e.g. crates/moodle-sim/captures/4.5-debug: the same with Moodle's debugging on
#                   ($CFG->debug = 32767, debugdisplay = 1 with admin/cli/cfg.php; put back after)
# States (pluginfile_opensis): good service_disabled restricted_on files_off token_expired
#         token_owner_not_admin site_policy (sitepolicy set + wsuser's tokens, as
#         token_owner_not_admin) site_policy_wsrole
# States (sync): every state folder of CAPDIR, journey_* aside, whose site_info_opensis was a
#         success (summary.json: "200 ok"): the sync probes are only sent with a working token.
# DB: the lab's database (default moodle_<lab folder name>, build.sh's), for sync_side_effects.txt.
# SECRETS: default LAB.fresh/secrets.txt (outside the repository); checked before copying.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,19p' "$0"; exit 2; }
LAB=$(cd "$1" && pwd) PORT=$2 CAPDIR=$3 DEBUGDIR=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
KIT=${MOODLE_LAB:-$(cd "$HERE/../../.." && pwd)/shared/moodle-lab}
export LAB PORT
SECRETS=${SECRETS:-$LAB.fresh/secrets.txt}
BASE=http://127.0.0.1:$PORT
CLI=$LAB/moodle; [ -d "$CLI/admin/cli" ] || CLI=$LAB/moodle/public
TMP=$(mktemp -d)
PROBE=${PROBE:-pluginfile_opensis}
DB=${DB:-moodle_$(basename "$LAB" | tr -c 'a-zA-Z0-9\n' '_')}
STATES="good service_disabled restricted_on files_off token_expired token_owner_not_admin site_policy site_policy_wsrole"
# states_of DIR: the states to record there
states_of() {
  if [ "$PROBE" = sync ]; then
    python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
for s in sorted(os.listdir(d)):
    p = os.path.join(d, s, 'summary.json')
    if s.startswith('journey_') or not os.path.exists(p):
        continue
    if json.load(open(p))['probes'].get('site_info_opensis', '').startswith('200 ok'):
        print(s)
PY
  else
    echo $STATES
  fi
}
touch "$SECRETS"

say() { echo "=== $* ($(date -u +%T))"; }
fault() { (cd "$KIT" && php fault.php "$@" >/dev/null); }
cfg() { (cd "$CLI" && php admin/cli/cfg.php "$@"); }

say "configure (the guide's good configuration)"
(cd "$KIT" && php configure.php && php fault.php reset >/dev/null)

# on STATE / off STATE: switch the site; tokens_of STATE: the tokens file its probes use
on() {
  case $1 in
    good) ;;
    site_policy) fault token_owner_not_admin on
                 cfg --name=sitepolicy --set="$(sed -nE "s#^\\\$CFG->wwwroot *= *'([^']*)'.*#\1#p" "$LAB/moodle/config.php")/?policy"
                 (cd "$CLI" && php admin/cli/purge_caches.php) ;;
    *) fault "$1" on ;;
  esac
}
off() {
  case $1 in
    good) ;;
    site_policy) cfg --name=sitepolicy --set=''; fault token_owner_not_admin off ;;
    *) fault "$1" off ;;
  esac
}
tokens_of() {
  case $1 in
    token_owner_not_admin|site_policy) echo "$LAB/tokens.token_owner_not_admin.env" ;;
    token_owner_wsrole|site_policy_wsrole) echo "$LAB/tokens.$1.env" ;;
    *) echo "$LAB/tokens.env" ;;
  esac
}

record() {   # record DIR SUFFIX
  local dir=$1 sfx=$2
  for s in $(states_of "$dir"); do
    [ -d "$dir/$s" ] || continue
    say "$s$sfx"
    on "$s"
    python3 "$HERE/capture_probes.py" run --only "$PROBE" --state "$s$sfx" --base "$BASE" \
      --tokens "$(tokens_of "$s")" --out "$TMP/$s$sfx" --secrets "$SECRETS" --db "$DB"
    off "$s"
    python3 "$HERE/capture_probes.py" check "$SECRETS" "$TMP/$s$sfx"
    if [ "$PROBE" = sync ]; then
      rm -f "$dir/$s"/sync_*.txt
      cp "$TMP/$s$sfx"/sync_*.txt "$dir/$s/" 2>/dev/null || echo "  (no sync probe sent in $s$sfx)"
    else
      cp "$TMP/$s$sfx/$PROBE.txt" "$dir/$s/$PROBE.txt"
    fi
  done
}

record "$CAPDIR" ""
if [ -n "$DEBUGDIR" ]; then
  d0=$(cfg --name=debug); dd0=$(cfg --name=debugdisplay)
  cfg --name=debug --set=32767; cfg --name=debugdisplay --set=1
  (cd "$CLI" && php admin/cli/purge_caches.php)
  record "$DEBUGDIR" " (debug)"
  cfg --name=debug --set="${d0:-0}"; cfg --name=debugdisplay --set="${dd0:-0}"
  (cd "$CLI" && php admin/cli/purge_caches.php)
fi
(cd "$KIT" && php fault.php reset >/dev/null)
rm -rf "$TMP"
say done
