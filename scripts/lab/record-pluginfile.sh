#!/bin/bash
# Record ONLY the probe pluginfile_opensis into states captured earlier (their other files are left
# as they are), on a lab site switched into each state with moodle-lab's configure.php / fault.php.
#
#   bash scripts/lab/record-pluginfile.sh LAB PORT CAPDIR [DEBUG_CAPDIR]
#     CAPDIR        e.g. crates/moodle-sim/captures/4.5: every state of the list below that has a
#                   folder there gets <state>/pluginfile_opensis.txt
#     DEBUG_CAPDIR  e.g. crates/moodle-sim/captures/4.5-debug: the same with Moodle's debugging on
#                   ($CFG->debug = 32767, debugdisplay = 1 with admin/cli/cfg.php; put back after)
# States: good service_disabled restricted_on files_off token_expired token_owner_not_admin
#         site_policy (sitepolicy set + wsuser's tokens, as token_owner_not_admin) site_policy_wsrole
# SECRETS: default LAB.fresh/secrets.txt (outside the repository); checked before copying.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,13p' "$0"; exit 2; }
LAB=$(cd "$1" && pwd) PORT=$2 CAPDIR=$3 DEBUGDIR=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
KIT=${MOODLE_LAB:-$(cd "$HERE/../../.." && pwd)/shared/moodle-lab}
export LAB PORT
SECRETS=${SECRETS:-$LAB.fresh/secrets.txt}
BASE=http://127.0.0.1:$PORT
CLI=$LAB/moodle; [ -d "$CLI/admin/cli" ] || CLI=$LAB/moodle/public
TMP=$(mktemp -d)
STATES="good service_disabled restricted_on files_off token_expired token_owner_not_admin site_policy site_policy_wsrole"
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
    site_policy_wsrole) echo "$LAB/tokens.site_policy_wsrole.env" ;;
    *) echo "$LAB/tokens.env" ;;
  esac
}

record() {   # record DIR SUFFIX
  local dir=$1 sfx=$2
  for s in $STATES; do
    [ -d "$dir/$s" ] || continue
    say "$s$sfx"
    on "$s"
    python3 "$HERE/capture_probes.py" run --only pluginfile_opensis --state "$s$sfx" --base "$BASE" \
      --tokens "$(tokens_of "$s")" --out "$TMP/$s$sfx" --secrets "$SECRETS"
    off "$s"
    python3 "$HERE/capture_probes.py" check "$SECRETS" "$TMP/$s$sfx"
    cp "$TMP/$s$sfx/pluginfile_opensis.txt" "$dir/$s/pluginfile_opensis.txt"
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
