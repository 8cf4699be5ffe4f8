#!/usr/bin/env python3
"""Probe the lab Moodle from outside the way a doctor could, and keep the raw HTTP exchanges.

  python3 capture_probes.py run --state NAME --base URL --tokens ENVFILE --out DIR
                                [--wsuser-tokens ENVFILE] [--secrets FILE] [--serverlog FILE]
                                [--db DBNAME] [--only PROBE]
  python3 capture_probes.py index CAPDIR [--title TEXT] [--meta FILE] [--order FILE]   # writes CAPDIR/INDEX.md
  python3 capture_probes.py check SECRETSFILE DIR...            # exit 1 if a secret is left in DIR
  python3 capture_probes.py summarize CAPDIR                    # adds probes added later to summary.json

The captures in moodle-captures/ were recorded with it, state by state (fault.php NAME on, run, reset).
--db is the PostgreSQL database that side_effects.txt reads (build.sh: moodle_<lab folder name>); the
password is DBPASS of lab.env beside the tokens file, else $CFG->dbpass of moodle/config.php there.
One file per probe: DIR/<probe>.txt holds the request (request line, the
headers sent, the body; secrets replaced), a separator line, then the answer exactly as it came:
status line, headers, body. Large HTML bodies keep their first 2048 bytes plus the text that matters
(title, Moodle error message, error code link, main region text), see BODY_LIMITS.
Project copy (scripts/lab/) of moodle-lab's capture_probes.py, with two changes:
  * a token absent from the tokens file (a state before that token exists) is not sent: the probes
    that need it are written as skipped ("no opensis token yet" / "no userkey token yet"), and so are
    the follow-ups that depend on them;
  * the probe pluginfile_opensis: POST <base>/webservice/pluginfile.php, body token=<opensis token>,
    no file path, redirects not followed. pluginfile.php runs webservice::authenticate_user() (token,
    service enabled, authorised users) and then the service's "Can download files", but needs no
    function in the service. `run --only pluginfile_opensis` writes that one file and nothing else
    (to add it to a state recorded earlier). `index` takes the short answer of a probe that a state's
    summary.json lacks from its <probe>.txt when the file is there;
  * the probes sync_names, sync_course_html and sync_batch: requests shaped like openSIS's sync
    calls (crates/diagnosis/src/engine/sync_shapes.json, the doctor's own list), each sent with the
    opensis token only when site_info_opensis worked and lists its function (as the doctor does),
    each missing a field Moodle requires, so that Moodle refuses it at its parameter check. With
    --db, sync_side_effects.txt holds the counts of users and courses before and after them.
    `run --only sync` writes those files and nothing else (to add them to a state recorded earlier).
Secrets are replaced by placeholders: tokens <opensis-token> <userkey-token> (<wsuser-...> for the
second pair), login keys <key>, MoodleSession values <session>, sesskeys <sesskey>,
userprivateaccesskey / logintoken / other cookie values REDACTED. Every secret value seen is appended
to --secrets (outside the repository), so that `check` can prove none is left.
"""
import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

ADMIN_EMAIL = 'admin@school.example.org'
UNKNOWN_EMAIL = 'nobody-8421@school.example.org'
SYNC_SHAPES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'crates', 'diagnosis',
                           'src', 'engine', 'sync_shapes.json')
SEP = b'\n' + b'=' * 72 + b' answer\n'
HTML_KEEP = 2048          # bytes of a large HTML body that are kept verbatim
HTML_FULL_MAX = 8192      # HTML bodies up to this size are kept whole
TRUNCATE_ALWAYS = {'login_page', 'my_page', 'follow_login_url'}   # kept: first 2048 bytes + extract

# Columns of INDEX.md, in probe order. Extra per-state probes (wsuser) are appended when present.
PROBES = ['public_config', 'login_page', 'simpleserver', 'site_info_opensis', 'site_info_userkey',
          'user_by_id_opensis', 'user_by_email_opensis', 'exists_enrol_manual_enrol_users',
          'exists_local_get_users_information', 'login_url', 'login_url_with_ip',
          'login_url_unknown_email', 'login_url_with_firstname', 'follow_login_url', 'my_page',
          'userkey_bad_key', 'pluginfile_opensis', 'sync_names', 'sync_course_html', 'sync_batch']
EXTRA_PROBES = ['site_info_wsuser', 'user_by_id_wsuser', 'login_url_wsuser']
SHORT = {'public_config': 'pubcfg', 'login_page': 'loginpage', 'simpleserver': 'simple',
         'site_info_opensis': 'si_A', 'site_info_userkey': 'si_B', 'user_by_id_opensis': 'byid_A',
         'user_by_email_opensis': 'byemail_A', 'exists_enrol_manual_enrol_users': 'enrol_A',
         'exists_local_get_users_information': 'local_A', 'login_url': 'lu_B', 'login_url_with_ip': 'lu_ip_B',
         'login_url_unknown_email': 'lu_unknown_B', 'login_url_with_firstname': 'lu_first_B',
         'follow_login_url': 'follow', 'my_page': 'my', 'userkey_bad_key': 'badkey',
 'pluginfile_opensis': 'pf_A', 'sync_names': 'names_A', 'sync_course_html': 'html_A', 'sync_batch': 'batch_A',
         'site_info_wsuser': 'si_wsA', 'user_by_id_wsuser': 'byid_wsA', 'login_url_wsuser': 'lu_wsB'}


def read_env(path):
    out = {}
    if path and os.path.exists(path):
        for line in open(path):
            m = re.match(r'^([A-Z_]+)=(.*)$', line.strip())
            if m:
                out[m.group(1)] = m.group(2)
    return out


class Redactor:
    def __init__(self, secretsfile):
        self.exact = {}          # value (bytes) -> placeholder (bytes)
        self.secretsfile = secretsfile

    def add(self, value, placeholder):
        if not value or len(value) < 8:
            return
        v = value.encode() if isinstance(value, str) else value
        if v not in self.exact:
            self.exact[v] = placeholder.encode()
            if self.secretsfile:
                with open(self.secretsfile, 'a') as f:
                    f.write(v.decode('latin-1') + '\n')

    def __call__(self, data):
        if isinstance(data, str):
            data = data.encode('utf-8', 'surrogateescape')
        # Learn session ids and login keys before replacing them everywhere.
        for m in re.finditer(rb'MoodleSession=([A-Za-z0-9,-]{8,})', data):
            self.add(m.group(1), '<session>')
        for m in re.finditer(rb'login\.php\?key=([0-9A-Za-z]{16,})', data):
            self.add(m.group(1), '<key>')
        for v in sorted(self.exact, key=len, reverse=True):
            data = data.replace(v, self.exact[v])
        subs = [
            (rb'("sesskey"\s*:\s*")[^"]+(")', rb'\1<sesskey>\2'),
            (rb'(sesskey=)[A-Za-z0-9]{6,}', rb'\1<sesskey>'),
            (rb'(name="sesskey"\s+value=")[^"]+(")', rb'\1<sesskey>\2'),
            (rb'("userprivateaccesskey"\s*:\s*")[^"]+(")', rb'\1REDACTED\2'),
            (rb'(name="logintoken"\s+value=")[^"]+(")', rb'\1REDACTED\2'),
            (rb'("logintoken"\s*:\s*")[^"]+(")', rb'\1REDACTED\2'),
        ]
        for pat, rep in subs:
            data = re.sub(pat, rep, data)

        # Values of cookies other than MoodleSession (e.g. MOODLEID1_): REDACTED, except 'deleted'.
        def cookie(m):
            name, val = m.group(2), m.group(3)
            if val in (b'deleted', b'') or val.startswith(b'<'):
                return m.group(0)
            self.add(val, 'REDACTED')
            return m.group(1) + name + b'=REDACTED'
        data = re.sub(rb'(?im)^(Set-Cookie:\s*)([^=;\s]+)=([^;\r\n]*)', cookie, data)
        return data


def html_extract(body):
    s = body.decode('utf-8', 'replace')
    out = []
    m = re.search(r'<title>(.*?)</title>', s, re.S)
    if m:
        out.append('title: ' + re.sub(r'\s+', ' ', m.group(1)).strip())
    m = re.search(r'"userId":(\d+)', s)
    if m:
        out.append('M.cfg userId: ' + m.group(1))
    for cls in ('errormessage', 'errorcode'):
        for m in re.finditer(r'<p class="%s">(.*?)</p>' % cls, s, re.S):
            out.append(cls + ': ' + re.sub(r'\s+', ' ', m.group(1)).strip())
    i = s.find('<span id="maincontent"></span>')
    if i < 0:
        i = s.find('id="region-main"')
    if i >= 0:
        j = min([k for k in (s.find('<footer', i), s.find('id="page-footer"', i), len(s)) if k >= 0])
        main = s[i:j]
    else:
        main = s
    main = re.sub(r'(?is)<(script|style)\b.*?</\1>', ' ', main)
    main = re.sub(r'(?s)<[^>]+>', ' ', main)
    main = re.sub(r'\s+', ' ', main).strip()
    import html as _h
    main = _h.unescape(main)
    limit = 3000 if 'class="errormessage"' in s else 400   # error pages: debuginfo, stack trace
    if len(main) > limit:
        main = main[:limit] + ' …'
    out.append('main text: ' + main)
    return out


def fmt_body(probe, ctype, body):
    is_html = b'html' in (ctype or b'').lower() or body.lstrip(b'\xef\xbb\xbf \r\n\t')[:15].lower().startswith(
        (b'<!doctype html', b'<html'))
    if not is_html or (probe not in TRUNCATE_ALWAYS and len(body) <= HTML_FULL_MAX) or len(body) <= HTML_KEEP:
        return body
    lines = [b'', b'[... capture_matrix: body truncated, %d bytes in total, first %d kept above; extracted:]'
             % (len(body), HTML_KEEP)]
    lines += [('[extracted] ' + x).encode() for x in html_extract(body)]
    return body[:HTML_KEEP] + b'\n'.join(lines) + b'\n'


class Prober:
    def __init__(self, args):
        self.args = args
        self.base = args.base.rstrip('/')
        self.out = args.out
        os.makedirs(self.out, exist_ok=True)
        self.red = Redactor(args.secrets)
        self.tok = read_env(args.tokens)
        self.red.add(self.tok.get('MOODLE_OPENSIS_TOKEN'), '<opensis-token>')
        self.red.add(self.tok.get('MOODLE_USERKEY_TOKEN'), '<userkey-token>')
        self.wstok = read_env(args.wsuser_tokens) if args.wsuser_tokens else {}
        self.red.add(self.wstok.get('MOODLE_OPENSIS_TOKEN'), '<wsuser-opensis-token>')
        self.red.add(self.wstok.get('MOODLE_USERKEY_TOKEN'), '<wsuser-userkey-token>')
        # Every token file of the lab (tokens.env and tokens.*.env): never let one leak.
        labdir = os.path.dirname(os.path.abspath(args.tokens))
        for fn in sorted(os.listdir(labdir)):
            if re.match(r'^tokens(\..+)?\.env$', fn):
                for k, v in read_env(os.path.join(labdir, fn)).items():
                    self.red.add(v, '<opensis-token>' if 'OPENSIS' in k else '<userkey-token>')
        self.summary = {'state': args.state, 'base': self.base, 'probes': {}}
        self.loginurl = None
        self.session = None

    # -- HTTP ---------------------------------------------------------------------------------
    def request(self, probe, method, url, body=None, headers=None, note='', keep=True):
        u = urllib.parse.urlsplit(url)
        path = u.path + ('?' + u.query if u.query else '')
        hdrs = [('Host', u.netloc), ('User-Agent', 'lab-capture/2 (python http.client)'),
                ('Accept', '*/*')]
        for k, v in (headers or []):
            hdrs.append((k, v))
        if body is not None:
            hdrs.append(('Content-Length', str(len(body))))
        t0 = time.time()
        err = None
        try:
            c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=60)
            c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in hdrs:
                c.putheader(k, v)
            c.endheaders(body)
            r = c.getresponse()
            rbody = r.read()
            status = b'HTTP/%s %d %s' % (b'1.1' if r.version == 11 else b'1.0', r.status, r.reason.encode())
            rheaders = r.getheaders()
            c.close()
        except Exception as e:   # no HTTP answer at all
            err = repr(e)
            r = None
        dt = time.time() - t0
        req = [('%s %s HTTP/1.1' % (method, path)).encode()]
        req += [('%s: %s' % (k, v)).encode() for k, v in hdrs]
        head = b'# probe: ' + probe.encode() + b'   url: ' + url.encode()
        if note:
            head += b'\n# ' + note.encode()
        parts = [head, b'\n'.join(req), b'']
        if body is not None:
            parts.append(body)
            if b'%5B' in body or b'%40' in body:
                parts.append(b'# decoded body: ' + urllib.parse.unquote_to_bytes(body))
        res = {'probe': probe, 'method': method, 'url': url, 'seconds': round(dt, 3)}
        if err:
            ans = b'(no HTTP answer: ' + err.encode() + b')\n'
            res.update({'status': 0, 'error': err, 'headers': [], 'body': b''})
        else:
            ctype = dict((k.lower(), v) for k, v in rheaders).get('content-type', '').encode()
            hl = b'\n'.join(('%s: %s' % (k, v)).encode('latin-1', 'replace') for k, v in rheaders)
            ans = status + b'\n' + hl + b'\n\n' + fmt_body(probe, ctype, rbody)
            res.update({'status': r.status, 'headers': rheaders, 'body': rbody})
        data = b'\n'.join(parts).rstrip(b'\n') + b'\n' + SEP + ans
        data = self.red(data)
        if keep:   # keep=False: asked only to decide what follows (its file stays as recorded)
            with open(os.path.join(self.out, probe + '.txt'), 'wb') as f:
                f.write(data)
        res['short'] = self.red(short_answer(probe, res).encode()).decode('utf-8', 'replace')
        if keep:
            self.summary['probes'][probe] = res['short']
        return res

    def skip(self, probe, why):
        with open(os.path.join(self.out, probe + '.txt'), 'w') as f:
            f.write('# probe: %s\nSKIPPED: %s\n' % (probe, why))
        self.summary['probes'][probe] = 'skipped (%s)' % why
        return None

    def pluginfile(self, token):
        # No file path: after authenticate_user() and the downloadfiles check, file_pluginfile('')
        # answers; a refused token / service answers before that (AJAX_SCRIPT: JSON exception).
        body = urllib.parse.urlencode([('token', token)]).encode()
        return self.request('pluginfile_opensis', 'POST', self.base + '/webservice/pluginfile.php', body,
                            [('Content-Type', 'application/x-www-form-urlencoded')],
                            note='token only, no file path, redirects not followed')

    def only(self, probe):
        # One probe into a state folder recorded earlier: that file only (summary.json untouched).
        op = self.tok.get('MOODLE_OPENSIS_TOKEN')
        if probe == 'sync':
            if not op:
                print('%s sync: no opensis token: nothing sent' % self.args.state)
                return
            si = self.ws('site_info_opensis', op, 'core_webservice_get_site_info', keep=False)
            for name, short in self.sync(op, si).items():
                print('%s %s: %s' % (self.args.state, name, short))
            return
        if probe != 'pluginfile_opensis':
            sys.exit('--only supports pluginfile_opensis and sync')
        r = self.pluginfile(op) if op else self.skip(probe, 'no opensis token yet')
        print('%s %s: %s' % (self.args.state, probe, r['short'] if r else 'skipped'))

    def sync(self, token, site_info):
        # The requests shaped like openSIS's sync, each only when the token's service lists its
        # function (the doctor's rule): {probe: short answer} of those sent.
        j = jload(site_info.get('body', b'')) if site_info else None
        if not isinstance(j, dict) or 'functions' not in j:
            return {}
        have = {f.get('name') for f in j['functions'] if isinstance(f, dict)}
        shapes = json.load(open(SYNC_SHAPES, encoding='utf-8'))['probes']
        before = self.dbcount() if self.args.db else None
        sent = {}
        for shape in shapes:
            if shape['function'] in have:
                params = [(k, v.encode('utf-8')) for k, v in shape['params']]
                r = self.ws(shape['probe'], token, shape['function'], params)
                sent[shape['probe']] = r['short']
        if before is not None and sent:
            after = self.dbcount()
            with open(os.path.join(self.out, 'sync_side_effects.txt'), 'w') as f:
                f.write('# DB read before and after the sync_* probes (psql, read-only)\n')
                f.write('sent: %s\n' % ', '.join(sent))
                f.write('before: %s\nafter: %s\n' % ('; '.join(before), '; '.join(after)))
                f.write('changed: %s\n' % ('nothing' if before == after else 'YES'))
        return sent

    def ws(self, probe, token, function, params=(), keep=True):
        body = urllib.parse.urlencode([('wstoken', token or 'none'), ('wsfunction', function)] + list(params)).encode()
        return self.request(probe, 'POST', self.base + '/webservice/rest/server.php?moodlewsrestformat=json',
                            body, [('Content-Type', 'application/x-www-form-urlencoded')], keep=keep)

    # -- side effects (DB, read-only) ----------------------------------------------------------
    def dbcount(self):
        q = ("select 'users ' || count(*) from mdl_user union all select 'courses ' || count(*) from mdl_course")
        return self.psql(q)

    def psql(self, q):
        labdir = os.path.dirname(os.path.abspath(self.args.tokens))
        env = read_env(os.path.join(labdir, 'lab.env'))
        if 'DBPASS' not in env:
            try:
                m = re.search(r"\$CFG->dbpass\s*=\s*'([^']*)'", open(os.path.join(labdir, 'moodle', 'config.php')).read())
                if m:
                    env['DBPASS'] = m.group(1)
            except OSError:
                pass
        try:
            return subprocess.run(['psql', '-h', '127.0.0.1', '-U', 'moodle', self.args.db or 'moodle', '-Atc', q],
                                  env=dict(os.environ, PGPASSWORD=env.get('DBPASS', 'moodlelab')),
                                  capture_output=True, text=True, timeout=30).stdout.strip().splitlines()
        except Exception as e:
            return ['(psql failed: %r)' % e]

    def dbsnap(self):
        q = ("select 'admin: auth=' || auth || ' suspended=' || suspended || ' firstname=' || firstname "
             "from mdl_user where id = 2 "
             "union all select 'active users: ' || count(*) from mdl_user where deleted = 0 "
             "union all select 'users with " + UNKNOWN_EMAIL + ": ' || count(*) from mdl_user where email = '"
             + UNKNOWN_EMAIL + "' and deleted = 0 "
             "union all select 'userkey login keys: ' || count(*) || ' (userids: ' || coalesce(string_agg(userid::text, ','), '') || ')' "
             "from mdl_user_private_key where script = 'auth/userkey'")
        return self.psql(q)

    # -- the probes ------------------------------------------------------------------------------
    def run(self):
        t0 = time.time()
        logpos = os.path.getsize(self.args.serverlog) if self.args.serverlog and os.path.exists(self.args.serverlog) else None
        b = self.base
        op, uk = self.tok.get('MOODLE_OPENSIS_TOKEN'), self.tok.get('MOODLE_USERKEY_TOKEN')
        pc = json.dumps([{'index': 0, 'methodname': 'tool_mobile_get_public_config', 'args': {}}]).encode()
        self.request('public_config', 'POST',
                     b + '/lib/ajax/service-nologin.php?info=tool_mobile_get_public_config&lang=en', pc,
                     [('Content-Type', 'application/json')])
        self.request('login_page', 'GET', b + '/login/index.php')
        self.request('simpleserver', 'GET', b + '/webservice/rest/simpleserver.php?wsusername=nosuchuser8421'
                     '&wspassword=x&wsfunction=core_webservice_get_site_info&moodlewsrestformat=json')
        NOOP, NOUK = 'no opensis token yet', 'no userkey token yet'
        si = self.ws('site_info_opensis', op, 'core_webservice_get_site_info') if op else self.skip('site_info_opensis', NOOP)
        if uk:
            self.ws('site_info_userkey', uk, 'core_webservice_get_site_info')
        else:
            self.skip('site_info_userkey', NOUK)
        j = jload(si.get('body', b'')) if si else None
        userid = j.get('userid', 2) if isinstance(j, dict) else 2
        firstname = j.get('firstname', 'Admin') if isinstance(j, dict) and 'firstname' in j else 'Admin'
        if op:
            self.ws('user_by_id_opensis', op, 'core_user_get_users_by_field', [('field', 'id'), ('values[0]', str(userid))])
            self.ws('user_by_email_opensis', op, 'core_user_get_users_by_field',
                    [('field', 'email'), ('values[0]', ADMIN_EMAIL)])
        else:
            self.skip('user_by_id_opensis', NOOP)
            self.skip('user_by_email_opensis', NOOP)
        for fn in ('enrol_manual_enrol_users', 'local_get_users_information'):
            if op:
                self.ws('exists_' + fn, op, fn)
            else:
                self.skip('exists_' + fn, NOOP)
        if op:
            self.sync(op, si)
        before = self.dbsnap()
        for probe, params in [
                ('login_url', [('user[email]', ADMIN_EMAIL)]),
                ('login_url_with_ip', [('user[email]', ADMIN_EMAIL), ('user[ip]', '127.0.0.1')]),
                ('login_url_unknown_email', [('user[email]', UNKNOWN_EMAIL)]),
                # Extra: a key that only createuser/updateuser allow (the admin's own first name, so
                # that even updateuser=1 changes nothing but 'auth').
                ('login_url_with_firstname', [('user[email]', ADMIN_EMAIL), ('user[firstname]', firstname)])]:
            if not uk:
                self.skip(probe, NOUK)
                continue
            r = self.ws(probe, uk, 'auth_userkey_request_login_url', params)
            lj = jload(r.get('body', b''))
            if isinstance(lj, dict) and lj.get('loginurl'):
                self.loginurl = lj['loginurl']      # each success replaces the admin's earlier key
        after = self.dbsnap()
        with open(os.path.join(self.out, 'side_effects.txt'), 'w') as f:
            f.write('# DB read before and after the four login_url probes (psql, read-only)\n')
            f.write('before:\n' + ''.join('  %s\n' % x for x in before))
            f.write('after:\n' + ''.join('  %s\n' % x for x in after))
            ch = [a for a in after if a not in before and not a.startswith('userkey login keys')]
            f.write('changed: ' + ('; '.join(ch) if ch else 'nothing (besides login keys)') + '\n')
        adm = [a for a in after if a.startswith('admin:')]
        self.summary['admin_after_login_url'] = adm[0][7:] if adm else '?'
        self.summary['side_effects'] = [a for a in after if a not in before and not a.startswith('userkey login keys')]
        if self.loginurl:
            r = self.request('follow_login_url', 'GET', self.loginurl,
                             note='the loginurl of the last successful login_url* probe, redirects not followed')
            for k, v in r.get('headers', []):
                m = re.match(r'MoodleSession=([^;]*)', v) if k.lower() == 'set-cookie' else None
                if m and m.group(1) != 'deleted':
                    self.session = m.group(1)
            if self.session:
                self.red.add(self.session, '<session>')
                self.request('my_page', 'GET', b + '/my/', headers=[('Cookie', 'MoodleSession=' + self.session)],
                             note='with the last MoodleSession cookie set by follow_login_url, redirects not followed')
            else:
                self.skip('my_page', 'follow_login_url set no MoodleSession cookie')
        else:
            self.skip('follow_login_url', 'no login_url probe returned a loginurl')
            self.skip('my_page', 'no loginurl was followed')
        self.request('userkey_bad_key', 'GET', b + '/auth/userkey/login.php?key=0000')
        if op:
            self.pluginfile(op)
        else:
            self.skip('pluginfile_opensis', NOOP)
        if self.wstok:
            wop, wuk = self.wstok.get('MOODLE_OPENSIS_TOKEN'), self.wstok.get('MOODLE_USERKEY_TOKEN')
            wsi = self.ws('site_info_wsuser', wop, 'core_webservice_get_site_info')
            wj = jload(wsi.get('body', b''))
            wid = wj.get('userid') if isinstance(wj, dict) and wj.get('userid') else 2
            self.ws('user_by_id_wsuser', wop, 'core_user_get_users_by_field', [('field', 'id'), ('values[0]', str(wid))])
            self.ws('login_url_wsuser', wuk, 'auth_userkey_request_login_url', [('user[email]', ADMIN_EMAIL)])
        if logpos is not None:
            with open(self.args.serverlog, 'rb') as f:
                f.seek(logpos)
                new = f.read().splitlines()
            keep = [l for l in new if not re.search(rb' (Accepted|Closing)$|\]: (GET|POST) ', l)]
            if keep:
                with open(os.path.join(self.out, 'server_log.txt'), 'wb') as f:
                    f.write(self.red(b'\n'.join(keep) + b'\n'))
        self.summary['seconds'] = round(time.time() - t0, 1)
        with open(os.path.join(self.out, 'summary.json'), 'w') as f:
            json.dump(self.summary, f, indent=1, sort_keys=False, ensure_ascii=False)
            f.write('\n')


def jload(b):
    # Leading BOM / whitespace tolerated here (to find a loginurl or userid, and to classify the
    # answer); the short answer still shows BOM+ and the file keeps the raw bytes.
    try:
        return json.loads(b.decode('utf-8').lstrip('\ufeff \r\n\t'))
    except Exception:
        return None


def short_loc(loc):
    loc = re.sub(r'key=[0-9A-Za-z]{16,}', 'key=<key>', loc)
    if '?' in loc:
        loc = loc.split('?', 1)[0] + '?…'
    return loc


def short_answer(probe, r):
    if r.get('error'):
        return 'no answer: ' + r['error'][:60]
    st = str(r['status'])
    body = r['body']
    hd = dict((k.lower(), v) for k, v in r['headers'])
    pre = ''
    if body.startswith(b'\xef\xbb\xbf'):
        pre = 'BOM+'
        body = body[3:]
    loc = hd.get('location')
    if loc:
        loc = short_loc(loc)
    cookies = [v.split('=', 1)[0] for k, v in r['headers'] if k.lower() == 'set-cookie']
    if probe in ('follow_login_url', 'my_page'):
        s = st + (' → ' + loc if loc else '')
        if probe == 'follow_login_url' and cookies:
            s += ' cookies=' + ','.join(sorted(set(cookies)))
        if not loc:
            s += ' ' + html_short(body)
            m = re.search(rb'"userId":(\d+)', body)
            if m:
                s += ' userId=' + m.group(1).decode()
        return pre + s
    if not body.strip():
        return st + ' (empty)' + (' → ' + loc if loc else '')
    j = jload(body)
    if j is not None:
        if isinstance(j, dict):
            if 'errorcode' in j:
                return '%s %s`%s`' % (st, pre, j['errorcode'])
            if 'exception' in j:
                return '%s %sexception %s' % (st, pre, j['exception'])
            if 'loginurl' in j:
                u = urllib.parse.urlsplit(j['loginurl'])
                return '%s %sloginurl %s' % (st, pre, u.netloc)
            if 'sitename' in j:
                return '%s %sok user=%s admin=%s fn=%d files=%s/%s' % (
                    st, pre, j.get('username'), int(bool(j.get('userissiteadmin'))), len(j.get('functions', [])),
                    j.get('downloadfiles'), j.get('uploadfiles'))
            return '%s %sjson {%s}' % (st, pre, ','.join(list(j)[:4]))
        if isinstance(j, list):
            if j and isinstance(j[0], dict) and 'error' in j[0]:
                e = j[0]
                if e.get('error'):
                    ex = e.get('exception') or {}
                    return '%s %serror `%s`' % (st, pre, ex.get('errorcode', '?'))
                d = e.get('data') or {}
                return '%s %sok ws=%s maint=%s' % (st, pre, d.get('enablewebservices'), d.get('maintenanceenabled'))
            users = ['%s(auth=%s%s)' % (u.get('username'), u.get('auth'), ',suspended' if u.get('suspended') else '')
                     for u in j if isinstance(u, dict)]
            return '%s %s[%d: %s]' % (st, pre, len(j), ' '.join(users))
        return '%s %sjson %s' % (st, pre, str(j)[:40])
    ctype = hd.get('content-type', '')
    s = '%s %s%s' % (st, pre, html_short(body) if (b'<' in body[:200]) else
                     'text «%s»' % re.sub(r'\s+', ' ', body[:60].decode('utf-8', 'replace')).strip())
    if loc:
        s += ' → ' + loc
    return s


def html_short(body):
    s = body.decode('utf-8', 'replace')
    m = re.search(r'<p class="errormessage">(.*?)</p>', s, re.S)
    code = re.search(r'<p class="errorcode"><a href="[^"]*/error/([^"]+)"', s)
    if m:
        msg = re.sub(r'<[^>]+>', '', m.group(1)).strip()
        return 'html error «%s»%s' % (msg[:70], ' (%s)' % code.group(1) if code else '')
    t = re.search(r'<title>(.*?)</title>', s, re.S)
    a = re.search(r'<div class=.alert-danger.>(.*?)</div>', s, re.S)   # early error page (setup)
    if a:
        msg = re.sub(r'<[^>]+>', ' ', a.group(1))
        return 'html «%s: %s»' % (re.sub(r'\s+', ' ', t.group(1)).strip() if t else '',
                                 re.sub(r'\s+', ' ', msg).strip()[:70])
    if t:
        return 'html «%s»' % re.sub(r'\s+', ' ', t.group(1)).strip()[:60]
    return 'html'


def cell(s, maxlen=0):
    s = (s or '').replace('\n', ' ')
    if s.startswith('skipped'):
        s = 'skipped'
    if maxlen and len(s) > maxlen:
        s = s[:maxlen - 1] + '…'
    return s.replace('|', '\\|')


def short_from_file(path):
    # The short answer of a recorded <probe>.txt (for a probe added to a state after its summary.json).
    data = open(path, 'rb').read()
    probe = os.path.basename(path)[:-4]
    if SEP not in data:
        m = re.search(rb'SKIPPED: (.*)', data)
        return 'skipped (%s)' % m.group(1).decode() if m else None
    ans = data.split(SEP, 1)[1]
    if ans.startswith(b'(no HTTP answer: '):
        return 'no answer: ' + ans[17:].split(b')\n')[0].decode()[:60]
    head, _, body = ans.partition(b'\n\n')
    lines = head.split(b'\n')
    status = int(lines[0].split()[1])
    hdrs = [tuple(x.decode('latin-1').split(': ', 1)) for x in lines[1:] if b': ' in x]
    return short_answer(probe, {'status': status, 'headers': hdrs, 'body': body})


def index(capdir, title, metafile=None, orderfile=None):
    states = []
    for d in sorted(os.listdir(capdir)):
        p = os.path.join(capdir, d, 'summary.json')
        if os.path.exists(p):
            s = json.load(open(p))
            for probe in PROBES + EXTRA_PROBES:
                f = os.path.join(capdir, d, probe + '.txt')
                if probe not in s['probes'] and os.path.exists(f):
                    sa = short_from_file(f)
                    if sa:
                        s['probes'][probe] = sa
            states.append(s)
    orderfile = orderfile or os.path.join(capdir, 'order.json')
    order = json.load(open(orderfile)) if os.path.exists(orderfile) else []
    states.sort(key=lambda s: (order.index(s['state']) if s['state'] in order else 999, s['state']))
    metafile = metafile or os.path.join(capdir, 'meta.json')
    meta = json.load(open(metafile)) if os.path.exists(metafile) else {}
    probes = PROBES + [p for p in EXTRA_PROBES if any(p in s['probes'] for s in states)]
    L = ['# ' + title, '']
    for k in ('about', 'run'):
        if meta.get(k):
            L += [meta[k], '']
    L += ['Cell = HTTP status, then `errorcode` for a Moodle JSON error, `ok …` for a success '
          '(site info: user, userissiteadmin, number of functions; public config: enablewebservices, '
          'maintenanceenabled), `[n: user(auth=…)]` for a user list, `html error «message» (code)` for a Moodle '
          'error page, `html «title»` for another page, `→ Location` for a redirect, `(empty)` for an empty body, '
          '`BOM+` when the body starts with EF BB BF. `admin after` = the admin account after the login_url probes '
          '(DB). Full exchanges: `<state>/<probe>.txt`.', '']
    L.append('Columns: ' + ', '.join('`%s` = %s' % (SHORT.get(p, p), p) for p in probes)
             + '. A = the opensis token, B = the userkey token (of the admin, or of wsuser where the state '
             'uses tokens.<state>.env); wsA/wsB = wsuser\'s tokens in `maintenance`.')
    L.append('')
    good = next((s for s in states if s['state'] == 'good'), None)
    if good:
        L += ['## At a glance: `·` = the same short answer as in `good`', '']
        L.append('| state | ' + ' | '.join(SHORT.get(p, p) for p in probes) + ' | admin after lu |')
        L.append('|---' * (len(probes) + 2) + '|')
        for s in states:
            if s['state'] == 'good':
                row = [cell(s['probes'].get(p, '—')) for p in probes] + [cell(s.get('admin_after_login_url', ''))]
            else:
                row = ['·' if s['probes'].get(p, '—') == good['probes'].get(p, '—') else cell(s['probes'].get(p, '—'), 60)
                       for p in probes]
                a = s.get('admin_after_login_url', '')
                row.append('·' if a == good.get('admin_after_login_url') else cell(a))
            L.append('| ' + s['state'] + ' | ' + ' | '.join(row) + ' |')
        L += ['', '## Full table', '']
    L.append('| state | ' + ' | '.join(SHORT.get(p, p) for p in probes) + ' | admin after lu |')
    L.append('|---' * (len(probes) + 2) + '|')
    for s in states:
        L.append('| ' + s['state'] + ' | ' + ' | '.join(cell(s['probes'].get(p, '—')) for p in probes)
                 + ' | ' + cell(s.get('admin_after_login_url', '')) + ' |')
    good = next((s for s in states if s['state'] == 'good'), None)
    if good:
        L += ['', '## What differs from `good`', '',
              'Per state, only the probes whose short answer differs from the good state '
              '(the same short-answer rules; Date headers and ids ignored).', '']
        for s in states:
            if s['state'] == 'good':
                continue
            diffs = []
            for p in probes:
                a, g = s['probes'].get(p, '—'), good['probes'].get(p, '—')
                if a != g:
                    diffs.append('%s: %s ⇒ **%s**' % (p, cell(g), cell(a)))
            if s.get('side_effects'):
                diffs.append('side effects of login_url: **%s**' % cell('; '.join(s['side_effects'])))
            L.append('* **%s** (%s s): ' % (s['state'], s.get('seconds', '?'))
                     + ('; '.join(diffs) if diffs else '_no probe differs from good_'))
    with open(os.path.join(capdir, 'INDEX.md'), 'w') as f:
        f.write('\n'.join(L) + '\n')


def summarize(capdir):
    # A probe added to a state after its summary.json (run --only): its short answer, from its file.
    for d in sorted(os.listdir(capdir)):
        p = os.path.join(capdir, d, 'summary.json')
        if not os.path.exists(p):
            continue
        s = json.load(open(p))
        added = []
        for fn in sorted(os.listdir(os.path.join(capdir, d))):
            probe = fn[:-4]
            if fn.endswith('.txt') and probe in PROBES and probe not in s['probes']:
                sa = short_from_file(os.path.join(capdir, d, fn))
                if sa:
                    s['probes'][probe] = sa
                    added.append(probe)
        if added:
            with open(p, 'w') as f:
                json.dump(s, f, indent=1, sort_keys=False, ensure_ascii=False)
                f.write('\n')
            print('%s: %s' % (d, ', '.join(added)))


def check(secretsfile, dirs):
    secrets = set(l.strip() for l in open(secretsfile) if len(l.strip()) >= 8) if os.path.exists(secretsfile) else set()
    bad = 0
    for d in dirs:
        for root, _, files in os.walk(d):
            for fn in files:
                data = open(os.path.join(root, fn), 'rb').read().decode('latin-1')
                for s in secrets:
                    if s in data:
                        print('SECRET LEFT: %s in %s' % (s[:6] + '…', os.path.join(root, fn)))
                        bad += 1
    print('checked %d secret values in %s: %s' % (len(secrets), ' '.join(dirs), 'CLEAN' if not bad else '%d hits' % bad))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run')
    r.add_argument('--state', required=True)
    r.add_argument('--base', required=True)
    r.add_argument('--tokens', required=True)
    r.add_argument('--out', required=True)
    r.add_argument('--wsuser-tokens')
    r.add_argument('--secrets')
    r.add_argument('--serverlog')
    r.add_argument('--db', default='moodle', help="database for side_effects.txt (default 'moodle': the 4.5 lab)")
    r.add_argument('--only', help='record this probe only (pluginfile_opensis, or sync: the sync_* probes), no summary.json')
    i = sub.add_parser('index')
    i.add_argument('capdir')
    i.add_argument('--title', default='Capture matrix')
    i.add_argument('--meta', help="JSON file with 'about' / 'run' (default: CAPDIR/meta.json)")
    i.add_argument('--order', help='JSON list of state names, the row order (default: CAPDIR/order.json)')
    sm = sub.add_parser('summarize')
    sm.add_argument('capdir')
    c = sub.add_parser('check')
    c.add_argument('secrets')
    c.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    if a.cmd == 'run':
        if a.only:
            Prober(a).only(a.only)
        else:
            Prober(a).run()
    elif a.cmd == 'summarize':
        summarize(a.capdir)
    elif a.cmd == 'index':
        index(a.capdir, a.title, a.meta, a.order)
    else:
        sys.exit(check(a.secrets, a.dirs))


if __name__ == '__main__':
    main()
