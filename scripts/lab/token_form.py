#!/usr/bin/env python3
"""Submit Moodle's own "Create token" form (Site administration > Server > Web services > Manage tokens)
as the logged-in admin, for the admin on one service, with no expiry, and print what the page says.

  python3 token_form.py BASE SERVICE_NAME [--user admin] [--password 'Admin#Lab2024']

Prints one JSON object: {"status": ..., "location": ..., "notification": "<the alert text>", "created": bool}.
"created" is true when Moodle answered with a redirect (the form saved a token); the token itself is
never printed. Used by record-journey.sh for the state journey_restricted_token_refused.
"""
import argparse
import html
import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('base')
    ap.add_argument('service')
    ap.add_argument('--user', default='admin')
    ap.add_argument('--password', default='Admin#Lab2024')
    ap.add_argument('--userid', default='2')
    a = ap.parse_args()
    base = a.base.rstrip('/')
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    noredir = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    page = op.open(base + '/login/index.php').read().decode('utf-8', 'replace')
    m = re.search(r'name="logintoken"\s+value="([^"]+)"', page)
    data = {'username': a.user, 'password': a.password, 'anchor': ''}
    if m:
        data['logintoken'] = m.group(1)
    op.open(base + '/login/index.php', urllib.parse.urlencode(data).encode()).read()

    url = base + '/admin/webservice/tokens.php?action=create'
    page = op.open(url).read().decode('utf-8', 'replace')
    fm = re.search(r'<form[^>]*action="[^"]*tokens\.php"[^>]*>(.*?)</form>', page, re.S)
    if not fm:
        sys.exit('no token form on %s (not logged in?)' % url)
    form = fm.group(1)
    fields = []
    for inp in re.finditer(r'<input[^>]*type="hidden"[^>]*>', form):
        n = re.search(r'name="([^"]+)"', inp.group(0))
        v = re.search(r'value="([^"]*)"', inp.group(0))
        if n:
            fields.append((n.group(1), html.unescape(v.group(1)) if v else ''))
    sel = re.search(r'<select[^>]*name="service"[^>]*>(.*?)</select>', form, re.S)
    sid = None
    for o in re.finditer(r'<option[^>]*value="(\d+)"[^>]*>(.*?)</option>', sel.group(1) if sel else '', re.S):
        if html.unescape(o.group(2)).strip() == a.service:
            sid = o.group(1)
    if not sid:
        sys.exit('service %r not offered by the form' % a.service)
    names = [n for n, _ in fields]
    fields = [(n, v) for n, v in fields if n not in ('user', 'service')]
    fields += [('name', ''), ('user', a.userid), ('service', sid), ('iprestriction', ''),
               ('submitbutton', 'Save changes')]
    # validuntil: the date selector's "Enable" box left unticked = no expiry (its fields are not sent
    # ticked; the day/month/year selects are sent as the browser would).
    for k, v in (('validuntil[day]', '1'), ('validuntil[month]', '1'), ('validuntil[year]', '2030')):
        if k not in names:
            fields.append((k, v))
    body = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(base + '/admin/webservice/tokens.php', body)
    try:
        r = noredir.open(req)
        status, loc, page = r.status, None, r.read().decode('utf-8', 'replace')
    except urllib.error.HTTPError as e:
        status, loc, page = e.code, e.headers.get('Location'), e.read().decode('utf-8', 'replace')
    note = ''
    n = re.search(r'<div class="alert[^"]*"[^>]*role="alert"[^>]*>(.*?)</div>', page, re.S) or \
        re.search(r'<div class="[^"]*alert[^"]*"[^>]*>(.*?)</div>', page, re.S)
    if n:
        note = html.unescape(re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', n.group(1)))).strip()
        # The alert's close button (× / "Dismiss this notification") is not part of the message.
        note = re.sub(r'\s*(Dismiss this notification|×)\s*$', '', note)
        note = re.sub(r'\s*(Dismiss this notification|×)\s*$', '', note)
    print(json.dumps({'status': status, 'location': loc, 'notification': note,
                      'created': status in (301, 302, 303)}, ensure_ascii=False))


if __name__ == '__main__':
    main()
