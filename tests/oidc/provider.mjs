// A real OpenID Connect provider for the single sign-on test (tests/test_sso_browser.py): the certified
// `oidc-provider` package on a loopback port, with one client (the dashboard) and the people given in a JSON file:
//
//   node provider.mjs CONFIG.json
//   {"issuer": "http://localhost:PORT", "port": PORT,
//    "client": {"client_id": …, "client_secret": …, "redirect_uris": […], "post_logout_redirect_uris": […]},
//    "people": {"LOGIN": {"password": …, "claims": {"email": …, "email_verified": true, "roles": […], …}}}}
//
// People sign in on the provider's own page (their LOGIN and password); the ID token carries the claims of the
// scopes asked for (openid email profile), as Microsoft Entra ID's does. Prints "ready" once it listens.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { interactionPolicy } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { people } = config;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
  </head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

// Streamlit asks for prompt=select_account (as Entra ID expects): a prompt this provider must know to accept it.
const policy = interactionPolicy.base();
policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }), 0);

const provider = new Provider(config.issuer, {
  clients: [{ ...config.client, grant_types: ['authorization_code'], response_types: ['code'] }],
  jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [config.client.client_secret] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username', 'roles'] },
  conformIdTokenClaims: false, // the claims in the ID token itself, where Streamlit reads them
  async findAccount(ctx, sub) {
    const person = people[sub];
    return person && { accountId: sub, claims: () => ({ sub, ...person.claims }) };
  },
  // the dashboard is a first-party client: the scopes it asks for are granted without a consent page
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out of the test identity provider?', `${form}
          <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Identity provider error', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
});

async function form(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

function loginPage(uid, problem = '') {
  return page('Sign in to the test identity provider', `${problem && `<p role="alert">${escape(problem)}</p>`}
    <form method="post" action="/interaction/${escape(uid)}/login">
      <label>User <input name="login" autocomplete="username" autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password"></label>
      <button type="submit">Sign in</button>
    </form>`);
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'html';
  if (ctx.method === 'GET') {
    ctx.body = loginPage(details.uid);
    return undefined;
  }
  const { login, password } = await form(ctx.req);
  if (!people[login] || people[login].password !== password) {
    ctx.body = loginPage(details.uid, 'Wrong user or password.');
    return undefined;
  }
  const result = { select_account: {}, login: { accountId: login } };
  ctx.status = 303;
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
  return undefined;
});

provider.listen(config.port, 'localhost', () => console.log('ready'));
