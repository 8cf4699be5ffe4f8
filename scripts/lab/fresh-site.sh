#!/bin/bash
# Put a lab site built with moodle-lab's build.sh --fresh back to the state Moodle installed it
# in (from the copy record-journey.sh saved in LAB.fresh/), for a walk that starts from nothing.
#
#   bash scripts/lab/fresh-site.sh LAB
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,5p' "$0"; exit 2; }
LAB=$(cd "$1" && pwd)
FRESH=$LAB.fresh
[ -f "$FRESH/db.dump" ] || { echo "no fresh copy in $FRESH: run record-journey.sh on the new site first" >&2; exit 1; }
DB=moodle_$(basename "$LAB" | tr -c 'a-zA-Z0-9\n' '_')
WEB=$LAB/moodle; [ -d "$LAB/moodle/public/admin" ] && WEB=$LAB/moodle/public
CLI=$LAB/moodle; [ -d "$CLI/admin/cli" ] || CLI=$WEB
export PGPASSWORD=moodlelab
PG="-h 127.0.0.1 -U moodle"
rm -rf "$WEB/auth/userkey"
rm -f "$LAB"/tokens.env "$LAB"/tokens.*.env "$LAB/faultstate.json"
dropdb $PG --force "$DB"
createdb $PG -O moodle -E UTF8 -T template0 --locale=C.UTF-8 "$DB"
pg_restore $PG -d "$DB" --no-owner "$FRESH/db.dump"
rm -rf "$LAB/moodledata" && tar -C "$LAB" -xf "$FRESH/moodledata.tar"
(cd "$CLI" && php admin/cli/purge_caches.php)
sleep 3   # the web server's OPcache revalidates files after 2 s
