// An Express app signing people in with express-openid-connect, set up as that library's README
// does ("Configuring the SDK"), against Entra ID — or mock-entra — as the OpenID provider:
//
//   ISSUER_BASE_URL  https://<mock>/<tenant GUID>/v2.0 (Entra: https://login.microsoftonline.com/<tenant GUID>/v2.0)
//   BASE_URL         where the app is reached, e.g. http://localhost:3000
//   CLIENT_ID        the app registration's application (client) id
//   CLIENT_SECRET    one of its client secrets (a confidential Web app: the code is redeemed with it)
//   SECRET           a long random value that encrypts the session cookie (default: a random one
//                    per start, so sessions end with the process)
//   PORT             the port to listen on (default 3000)
//
// The app registration needs the Web redirect URI BASE_URL + "/callback" (the library's default
// callback route); Entra ignores the port of an http://localhost redirect URI. With mock-entra on
// HTTPS, start Node trusting the mock's CA: NODE_EXTRA_CA_CERTS=<npx mock-entra ca> node app.js
//
// The project is ESM, so the library (CommonJS) is imported whole rather than by name.
import { randomBytes } from 'node:crypto';
import express from 'express';
import openidConnect from 'express-openid-connect';

const { auth, requiresAuth } = openidConnect;

const app = express();

app.use(
  auth({
    issuerBaseURL: process.env.ISSUER_BASE_URL,
    baseURL: process.env.BASE_URL,
    clientID: process.env.CLIENT_ID,
    clientSecret: process.env.CLIENT_SECRET,
    secret: process.env.SECRET || randomBytes(32).toString('base64url'),
    authorizationParams: {
      response_type: 'code',
      scope: 'openid profile email',
    },
    authRequired: false,
  }),
);

app.get('/', (req, res) => {
  res.send(req.oidc.isAuthenticated() ? 'Logged in' : 'Logged out');
});

app.get('/profile', requiresAuth(), (req, res) => {
  res.send(JSON.stringify(req.oidc.user));
});

// The README's "Error Handling": the library's errors (a refused callback is a 400 carrying
// openid-client's `error` code and `error_description`) would otherwise reach Express's default
// handler, which hides them in production. Sent as JSON, so nothing from the provider is
// rendered as HTML.
app.use((err, req, res, next) => {
  if (res.headersSent) return next(err);
  res.status(err.status ?? 500).json({ error: err.error ?? err.name, error_description: err.error_description ?? err.message });
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`listening on ${port}`));
