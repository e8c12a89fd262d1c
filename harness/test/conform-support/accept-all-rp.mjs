// A relying party that checks nothing: it redeems the code, decodes the ID token without
// validating a single claim or the signature, and signs whoever it names in (a cookie). The
// conformance tests point `mock-entra conform` at it to prove that verdicts can fail — with the
// missing check named — and that skippable checks read "pass (skippable …)".
//   PORT, MOCK_ENTRA_DISCOVERY_URL, MOCK_ENTRA_CLIENT_ID, MOCK_ENTRA_CLIENT_SECRET
// ON_WRONG_ISS=500 | loop | crash | userinfo: it compares iss after all — and answers a wrong one
// with a 500 page, by starting the sign-in again (a redirect loop), by dying, or after calling
// userinfo with the access token it got: the ways of "refusing" the judge does not accept.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const { PORT, MOCK_ENTRA_DISCOVERY_URL, MOCK_ENTRA_CLIENT_ID, MOCK_ENTRA_CLIENT_SECRET } = process.env;
const base = `http://localhost:${PORT}`;
const redirectUri = `${base}/callback`;
const sessions = new Map();

const html = (res, status, body) =>
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>accept-all</title>${body}`);

createServer(async (req, res) => {
  try {
    const url = new URL(req.url, base);
    const meta = await (await fetch(MOCK_ENTRA_DISCOVERY_URL)).json();
    if (url.pathname === '/login') {
      const q = new URLSearchParams({
        client_id: MOCK_ENTRA_CLIENT_ID,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        state: 's',
        nonce: randomBytes(8).toString('hex'),
      });
      return res.writeHead(302, { location: `${meta.authorization_endpoint}?${q}` }).end();
    }
    if (url.pathname === '/callback') {
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code: url.searchParams.get('code') ?? '',
        redirect_uri: redirectUri,
        client_id: MOCK_ENTRA_CLIENT_ID,
        client_secret: MOCK_ENTRA_CLIENT_SECRET,
      });
      const tokens = await (await fetch(meta.token_endpoint, { method: 'POST', body })).json();
      if (!tokens.id_token) return html(res, 400, `<p id="error">${tokens.error ?? 'no id_token'}</p>`);
      const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString('utf8'));
      // loop: once a wrong iss came, this browser never gets out again (a sticky "start over").
      const looping = /(?:^|;\s*)retry=1/.test(req.headers.cookie ?? '');
      if (process.env.ON_WRONG_ISS && (claims.iss !== meta.issuer || looping)) {
        if (process.env.ON_WRONG_ISS === 'loop') return res.writeHead(302, { location: '/login', 'set-cookie': 'retry=1; Path=/' }).end();
        if (process.env.ON_WRONG_ISS === 'crash') process.exit(70);
        if (process.env.ON_WRONG_ISS === 'userinfo') {
          // Uses what the broken response gave it before refusing: the judge counts that against it.
          await (await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } })).text();
          return html(res, 400, '<p id="error">wrong issuer</p>');
        }
        return html(res, 500, `<p id="error">wrong issuer ${claims.iss}</p>`);
      }
      const sid = randomBytes(12).toString('hex');
      sessions.set(sid, claims);
      return res.writeHead(302, { location: '/me', 'set-cookie': `sid=${sid}; Path=/; HttpOnly` }).end();
    }
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const claims = sid ? sessions.get(sid) : undefined;
    if (url.pathname === '/me') return claims ? html(res, 200, `<h1 id="me">Hello ${claims.name ?? ''}</h1>`) : html(res, 401, '<p>not signed in</p>');
    if (url.pathname === '/api/me')
      return claims ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims)) : res.writeHead(401).end();
    return html(res, 200, '<a href="/login">sign in</a>');
  } catch (e) {
    html(res, 500, `<pre>${String(e)}</pre>`);
  }
}).listen(Number(PORT), '127.0.0.1');
