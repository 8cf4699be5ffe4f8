#!/usr/bin/env bash
# Seeds the fuzz corpora: the answers captured from real Moodle 4.1, 4.5 and 5.0 sites (raw,
# and their bodies), a public configuration answer and its ajax error, and addresses as admins
# paste them.
set -euo pipefail
cd "$(dirname "$0")"
captures=../crates/moodle-sim/captures
mkdir -p corpus/decode_envelope corpus/public_config corpus/normalize_site_url

public_config='[{"error":false,"data":{"wwwroot":"https:\/\/moodle.school.org","httpswwwroot":"https:\/\/moodle.school.org","sitename":"SIS Lab Moodle","enablewebservices":1,"enablemobilewebservice":0,"maintenanceenabled":0,"maintenancemessage":"","launchurl":"https:\/\/moodle.school.org\/admin\/tool\/mobile\/launch.php","warnings":[]}}]'
ajax_error='[{"error":true,"exception":{"message":"Site is undergoing maintenance","errorcode":"sitemaintenance","link":"","moreinfourl":""}}]'

separator='======================================================================== answer'
find "$captures" -name '*.txt' ! -name side_effects.txt | while IFS= read -r f; do
  grep -qxF "$separator" "$f" || continue  # a recorded skip, not an exchange
  name=$(echo "${f#"$captures"/}" | tr '/' '_')
  name=${name%.txt}
  # The answer: everything after the separator line; its body: after its first empty line.
  awk -v sep="$separator" 'seen { print; next } $0 == sep { seen = 1 }' "$f" > "corpus/decode_envelope/$name"
  awk 'seen { print; next } /^\r?$/ { seen = 1 }' "corpus/decode_envelope/$name" > "corpus/public_config/$name"
done
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n%s' "$public_config" \
  > corpus/decode_envelope/public_config
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n%s' "$ajax_error" \
  > corpus/decode_envelope/public_config_error
printf '%s' "$public_config" > corpus/public_config/public_config
printf '%s' "$ajax_error" > corpus/public_config/public_config_error

i=0
while IFS= read -r url; do
  printf '%s' "$url" > "corpus/normalize_site_url/seed-$i"
  i=$((i + 1))
done <<'URLS'
moodle.school.org
https://moodle.school.org/
 https://moodle.school.org/login/index.php?x=1#top 
https://school.org/moodle/my/
https://school.org/moodle/admin/settings.php?section=manageauths
http://127.0.0.1:8080/index.php
HTTPS://Moodle.School.ORG
"https://moodle.school.org"
<https://moodle.school.org/moodle/course/view.php?id=2>
https://[::1]:8443/moodle/webservice/rest/server.php
http://xn--mdle-6qa.example/lms/
https://admin:pw@moodle.school.org
ftp://moodle.school.org
https://moodle school.org
URLS
echo "seeded: $(ls corpus/decode_envelope | wc -l) answers, $(ls corpus/public_config | wc -l) JSON bodies, $i addresses"
