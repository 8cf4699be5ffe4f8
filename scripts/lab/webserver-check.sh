#!/bin/bash
# What a lab site answers on 127.0.0.1:PORT now (after webserver.sh): for each probe the status
# line, Server (and Location / WWW-Authenticate) header and the first 200 characters of the body.
# The token is sent from LAB/tokens.env on stdin and never printed (32-hex values are masked).
#
#   bash scripts/lab/webserver-check.sh LAB PORT
set -uo pipefail
[ $# -ge 2 ] || { sed -n '2,6p' "$0"; exit 2; }
LAB=$(cd "$1" && pwd); PORT=$2
BASE=http://127.0.0.1:$PORT
set -a; . "$LAB/tokens.env"; set +a
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

show() {  # show LABEL CURL-ARGS...
  local label=$1; shift
  curl -sS -m 30 -D "$TMP/h" -o "$TMP/b" "$@" 2>"$TMP/e" || true
  echo "### $label"
  if [ ! -s "$TMP/h" ]; then echo "    (no answer: $(head -c 200 "$TMP/e"))"; return; fi
  # the last response's head (curl does not follow redirects here)
  head -1 "$TMP/h" | tr -d '\r' | sed 's/^/    /'
  grep -iE '^(server|location|www-authenticate|content-type):' "$TMP/h" | tr -d '\r' | sed 's/^/    /'
  printf '    body (%s bytes): ' "$(wc -c < "$TMP/b")"
  head -c 200 "$TMP/b" | tr '\n\r\t' '   ' | sed -E 's/[0-9a-f]{32}/<32hex>/g'
  echo
}

show "GET /login/index.php" "$BASE/login/index.php"
printf 'wstoken=%s&wsfunction=core_webservice_get_site_info&moodlewsrestformat=json' "$MOODLE_OPENSIS_TOKEN" > "$TMP/rest"
show "POST /webservice/rest/server.php (core_webservice_get_site_info)" \
  -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$TMP/rest" "$BASE/webservice/rest/server.php"
show "GET /pix/moodlelogo.svg (static)" "$BASE/pix/moodlelogo.svg"
show "GET /theme/image.php/boost/core/1/i/course (slash arguments)" "$BASE/theme/image.php/boost/core/1/i/course"
{ cat "$TMP/rest"; printf '&serviceshortnames[0]=%s' "$(head -c 1500 /dev/zero | tr '\0' x)"; } > "$TMP/big"
show "POST /webservice/rest/server.php with a 1.6 KB body" \
  -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$TMP/big" "$BASE/webservice/rest/server.php"
