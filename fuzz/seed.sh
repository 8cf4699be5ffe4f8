#!/usr/bin/env bash
# Seeds the fuzz corpora: the answers captured from real Moodle 4.1, 4.5 and 5.0 sites (raw,
# and their bodies), a public configuration answer and its ajax error, and addresses as admins
# paste them.
set -euo pipefail
cd "$(dirname "$0")"
captures=../crates/moodle-sim/captures
mkdir -p corpus/decode_envelope corpus/public_config corpus/normalize_site_url corpus/plugin_zip \
  corpus/version_php corpus/sis_answers corpus/moodle_answers corpus/capture_parse

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
  cp "corpus/decode_envelope/$name" "corpus/moodle_answers/$name"
  cp "$f" "corpus/capture_parse/$name"
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
# Plugin ZIPs as openSIS ships them (and broken ones), their version.php and language files;
# openSIS's answers: a sign-in, a failure, the LMS settings, a 401, an HTML page.
python3 - <<'PY'
import io, zipfile
version_auth = "<?php\ndefined('MOODLE_INTERNAL') || die();\n$plugin->version   = 2022081901;\n$plugin->requires  = 2017051500;\n$plugin->component = 'auth_userkey';\n$plugin->release   = '2022081901';\n$plugin->maturity  = MATURITY_STABLE;\n$plugin->supported = [33, 401];\n"
version_local = "<?php\n$plugin->version = 2024010100;\n$plugin->requires = 2022041900;\n$plugin->component = 'local_opensis';\n$plugin->maturity = MATURITY_BETA;\n"
lang_auth = "<?php\n$string['pluginname'] = 'User key authentication';\n"
services = "<?php\n$functions = ['local_get_users_information' => ['classname' => 'x', 'methodname' => 'y', 'type' => 'read']];\n"
def zipped(entries, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, body in entries:
            z.writestr(name, body)
    return buf.getvalue()
seeds = {
    "auth_userkey": zipped([("userkey/version.php", version_auth), ("userkey/lang/en/auth_userkey.php", lang_auth), ("userkey/auth.php", "<?php\n"), ("userkey/login.php", "<?php\n")]),
    "local_opensis": zipped([("opensis/version.php", version_local), ("opensis/db/services.php", services), ("opensis/lang/en/local_opensis.php", "<?php\n$string['pluginname'] = 'openSIS';\n")]),
    "stored": zipped([("userkey/version.php", version_auth), ("userkey/lang/en/auth_userkey.php", lang_auth)], zipfile.ZIP_STORED),
    "two_roots": zipped([("a/version.php", version_auth), ("b/version.php", version_local)]),
    "zip_slip": zipped([("../evil/version.php", version_auth)]),
    "macosx": zipped([("userkey/version.php", version_auth), ("__MACOSX/userkey/._version.php", "x")]),
}
for name, data in seeds.items():
    open(f"corpus/plugin_zip/{name}", "wb").write(data)
for name, text in {"auth": version_auth, "local": version_local, "lang": lang_auth, "services": services,
                   "old": "<?php\n$module->version = 2010010100;\n$module->component = 'mod_x';\n"}.items():
    open(f"corpus/version_php/{name}", "w").write(text)
answers = {
    "login": (200, '{"_token":"eyJhbGciOi.x.y","name":"Super Admin","membershipName":"Super Administrator","_failure":false}'),
    "login_teacher": (200, '{"_token":"eyJ.x.y","membershipName":"Teacher","_failure":false}'),
    "failure": (200, '{"_failure":true,"_message":"Invalid password"}'),
    "settings": (200, '{"lmsSettings":{"moodleUrl":"https://moodle.school.org","moodleToken":"0123456789abcdef0123456789abcdef","moodleUserKeyToken":"fedcba9876543210fedcba9876543210","enableSynchronization":true},"_failure":false}'),
    "unauthorized": (401, ""),
    "html": (200, "<!DOCTYPE html><html><head><title>openSIS</title></head><body>Login</body></html>"),
    "server_error": (500, '{"message":"An error has occurred."}'),
}
for name, (status, body) in answers.items():
    ct = "text/html" if body.startswith("<") else "application/json"
    open(f"corpus/sis_answers/{name}", "w").write(f"HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\n\r\n{body}")
PY
echo "seeded: $(ls corpus/plugin_zip | wc -l) ZIPs, $(ls corpus/version_php | wc -l) PHP files, $(ls corpus/sis_answers | wc -l) openSIS answers, $(ls corpus/capture_parse | wc -l) captures"
echo "seeded: $(ls corpus/decode_envelope | wc -l) answers, $(ls corpus/public_config | wc -l) JSON bodies, $i addresses"
