import { html, SafeHtml } from './html.ts';

const STYLE = `
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--text:#1f2328;--muted:#59636e;--line:#d1d9e0;
--accent:#1f6feb;--accent-text:#fff;--error-bg:#ffebe9;--error:#a40e26}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#151b23;--text:#e6edf3;--muted:#9198a1;
--line:#3d444d;--accent:#4493f8;--accent-text:#0d1117;--error-bg:#3c1618;--error:#ff9492}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--text);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:min(24rem,calc(100vw - 2rem));background:var(--card);border:1px solid var(--line);border-radius:12px;
padding:2rem;box-shadow:0 1px 3px rgb(0 0 0/.08)}
h1{font-size:1.35rem;margin:0 0 .25rem}
p{margin:.5rem 0}
.muted{color:var(--muted);font-size:.9rem}
label{display:block;font-weight:600;margin:1rem 0 .3rem}
input{width:100%;padding:.55rem .7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);
border-radius:6px}
input:focus{outline:2px solid var(--accent);outline-offset:1px}
.actions{display:flex;gap:.6rem;margin-top:1.5rem}
button{flex:1;padding:.6rem 1rem;font:inherit;font-weight:600;border-radius:6px;cursor:pointer;
border:1px solid var(--line);background:transparent;color:inherit}
button.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-text)}
button.link{border:0;padding:.75rem 0 0;font-weight:400;color:var(--accent);text-decoration:underline}
.error{background:var(--error-bg);color:var(--error);border-radius:6px;padding:.6rem .8rem;margin:1rem 0 0}
ul{padding-left:1.2rem;margin:.75rem 0}
code{font-size:.85em}
footer{margin-top:1.5rem;font-size:.8rem;color:var(--muted)}
`;

/** The one page frame: no scripts, no external resources, styles inline. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main>
${body}
<footer>Local identity provider of the gateway-pattern stack (demo users and clients).</footer>
</main>
</body>
</html>
`.value;
}

/** A scope as the consent page names it. */
const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in (your user id)',
  profile: 'Your name and user name',
  email: 'Your email address',
  roles: 'Your roles',
  offline_access: 'Stay signed in (a refresh token)',
};

/** Describes a scope for the consent page; unknown ones are shown as they are. */
export function describeScope(scope: string): string {
  return SCOPE_DESCRIPTIONS[scope] ?? scope;
}

/** What the login page shows. */
export interface LoginView {
  uid: string;
  clientName: string;
  /** The last name typed, kept after a failed attempt. */
  username?: string;
  error?: string;
}

/** The sign-in form. Posting it is bound to this interaction by its uid in the URL and its cookie. */
export function loginPage(view: LoginView): string {
  const base = `/interaction/${encodeURIComponent(view.uid)}`;
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
<p class="muted">to continue to <strong>${view.clientName}</strong></p>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${base}/login" autocomplete="on">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required maxlength="200" value="${view.username ?? ''}"${view.username ? '' : new SafeHtml(' autofocus')}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1000"${view.username ? new SafeHtml(' autofocus') : ''}>
<div class="actions"><button class="primary" type="submit">Sign in</button></div>
</form>
<form method="post" action="${base}/abort"><button class="link" type="submit">Cancel and return to the application</button></form>
<p class="muted">Demo users are listed in <code>infra/identity/identity.yml</code>.</p>`,
  );
}

/** What the consent page shows. */
export interface ConsentView {
  uid: string;
  clientName: string;
  userName: string;
  /** OpenID scopes not yet granted to this client. */
  scopes: readonly string[];
  /** Claims asked for one by one (the `claims` parameter). */
  claims: readonly string[];
  /** API scopes not yet granted, per resource. */
  resources: readonly { resource: string; scopes: readonly string[] }[];
}

/** The consent form: allow grants what is listed, deny ends the request with `access_denied`. */
export function consentPage(view: ConsentView): string {
  const base = `/interaction/${encodeURIComponent(view.uid)}`;
  const items = [
    ...view.scopes.map((scope) => html`<li>${describeScope(scope)}</li>`),
    ...view.claims.map((claim) => html`<li>The <code>${claim}</code> claim</li>`),
    ...view.resources.map(
      ({ resource, scopes }) =>
        html`<li>Access <code>${resource}</code>${scopes.length ? html` (${scopes.join(', ')})` : ''}</li>`,
    ),
  ];
  return layout(
    'Allow access',
    html`<h1>Allow access?</h1>
<p><strong>${view.clientName}</strong> asks, for <strong>${view.userName}</strong>:</p>
${items.length ? html`<ul>${items}</ul>` : html`<p class="muted">Nothing beyond what you granted before.</p>`}
<form method="post" action="${base}/confirm"><div class="actions">
<button type="submit" formaction="${base}/abort">Deny</button>
<button class="primary" type="submit" autofocus>Allow</button>
</div></form>`,
  );
}

/** An error page for people (OAuth errors shown by the provider, expired sign-ins). */
export function errorPage(
  title: string,
  message: string,
  details: Readonly<Record<string, string | undefined>> = {},
): string {
  const rows = Object.entries(details).filter(([, value]) => value !== undefined);
  return layout(
    title,
    html`<h1>${title}</h1>
<p>${message}</p>
${rows.length ? html`<p class="muted">${rows.map(([key, value]) => html`<code>${key}</code>: ${value}<br>`)}</p>` : ''}`,
  );
}

/**
 * The RP-initiated logout confirmation. `form` is the provider's own hidden form (its action and the anti-CSRF
 * `xsrf` token); the buttons submit it, "sign out" with `logout=yes`.
 */
export function logoutPage(form: SafeHtml, host: string): string {
  return layout(
    'Sign out',
    html`<h1>Sign out?</h1>
<p>Sign out of the identity provider at <strong>${host}</strong>?</p>
${form}
<div class="actions">
<button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>
</div>`,
  );
}

/** Shown after sign-out when the client gave no `post_logout_redirect_uri`. */
export function loggedOutPage(clientName: string | undefined): string {
  return layout(
    'Signed out',
    html`<h1>Signed out</h1>
<p>You are signed out${clientName ? html` of <strong>${clientName}</strong>` : ''}. You can close this window.</p>`,
  );
}
