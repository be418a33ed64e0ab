#!/usr/bin/env python3
# Plays the person's browser for the MCP conformance suite's authorization-server mode
# (npx @modelcontextprotocol/conformance@0.2.0-alpha.12 authorization ...), which prints an
# authorize URL and waits for the callback. Verified 2026-11-27: 3 passed, 0 failed.
#
#   mnemo users add --data-dir D alice --password-stdin <<< 'correct horse battery staple'
#   CID=$(mnemo clients add --data-dir D --name conformance --redirect-uri http://127.0.0.1:3930/callback | head -1)
#   mnemo serve --data-dir D --urls http://127.0.0.1:5391 &
#   npx conformance authorization --url http://127.0.0.1:5391 --client-id $CID \
#       --resource http://127.0.0.1:5391/mcp -p 3930 > out.txt 2>&1 &
#   python3 conformance-authorization-browser.py out.txt   # signs in as alice, allows, follows the callback
import re, sys, time, subprocess, urllib.request, urllib.parse, http.cookiejar, html
out_path, = sys.argv[1:]
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPCookieProcessor(jar))
def req(url, data=None):
    try:
        r = opener.open(urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data else None))
        return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()
def fields(page):
    f = {}
    for m in re.finditer(r'<input\b[^>]*>', page):
        n = re.search(r'\sname="([^"]*)"', m.group(0)); v = re.search(r'\svalue="([^"]*)"', m.group(0))
        if n: f[html.unescape(n.group(1))] = html.unescape(v.group(1)) if v else ''
    return f
url = None
for _ in range(300):
    text = open(out_path).read()
    m = re.search(r'(http://127\.0\.0\.1:\d+/authorize\?\S+)', text)
    if m: url = m.group(1); break
    time.sleep(0.2)
if not url: print("no authorize url"); print(open(out_path).read()); sys.exit(1)
base = url.split('/authorize')[0]
s, h, b = req(url); print("authorize", s, h.get('Location'))
login = base + h['Location']
s, h, b = req(login); f = fields(b); f['userName'] = 'alice'; f['password'] = 'correct horse battery staple'
s, h, b = req(base + '/login', f); print("login", s, h.get('Location'))
s, h, b = req(base + h['Location']); print("consent", s)
if s == 200:
    f = fields(b); f['mnemo_consent'] = 'allow'
    s, h, b = req(base + '/authorize', f)
print("final", s, h.get('Location'))
s2, h2, b2 = req(h['Location']); print("callback", s2)
