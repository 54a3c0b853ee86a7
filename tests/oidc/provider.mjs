// A real OpenID provider (oidc-provider, OpenID Certified) on loopback, for the OIDC sign-in
// browser tests (tests/browser/test_oidc.py). Development set-up only: plain http on
// 127.0.0.1, the package's own development login form (any password), in-memory storage.
//
//   node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// Prints "ready <issuer>" on stdout once it listens. The accounts: the login typed into the
// form is the account id.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || !redirectUri) {
  console.error('usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// Login (account id) -> the identity the provider vouches for.
const ACCOUNTS = {
  // Matches a Stride Check account by email, verified by the provider.
  ann: { email: 'Ann@Club.test', email_verified: true, name: 'Ann Runner' },
  coach: { email: 'coach@club.test', email_verified: true, name: 'Coach A' },
  // A verified address that no Stride Check account has.
  stranger: { email: 'stranger@club.test', email_verified: true, name: 'Stranger' },
  // Claims the coach's address without the provider having verified it.
  mallory: { email: 'coach@club.test', email_verified: false, name: 'Mallory' },
};

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    // Streamlit sends people back to its redirect_uri after signing out at the provider.
    post_logout_redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  // A first-party client: no consent screen (the grant is made on first use).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const claims = ACCOUNTS[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  // Short-lived cookies and a fixed signing key are fine for a throwaway test provider.
  cookies: { keys: ['stride-check-test-only'] },
  // ID token claims: Streamlit builds st.user from the ID token.
  conformIdTokenClaims: false,
};

const provider = new Provider(issuer, configuration);
// Streamlit asks for prompt=select_account (as Google and Microsoft offer). This provider has
// no account chooser, and the development login form is how one picks an account: treat it
// as prompt=login, so every sign-in shows the form.
provider.use(async (ctx, next) => {
  if (ctx.path === '/auth' && ctx.query.prompt === 'select_account') {
    ctx.query = { ...ctx.query, prompt: 'login' };
  }
  await next();
});
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
