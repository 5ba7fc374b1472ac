import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, SafeHtml } from './html.ts';
import { consentPage, errorPage, loginPage } from './views.ts';

const EVIL = `"><img src=x onerror=alert(1)>'&`;
const ESCAPED = '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;';

describe('html', () => {
  it('escapes text and attribute metacharacters', () => {
    assert.equal(escapeHtml(EVIL), ESCAPED);
    assert.equal(html`<p title="${EVIL}">${EVIL}</p>`.value, `<p title="${ESCAPED}">${ESCAPED}</p>`);
  });

  it('keeps nested templates and SafeHtml, renders arrays and skips empty values', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    assert.equal(html`<ul>${items}</ul>`.value, '<ul><li>a&lt;b</li><li>c</li></ul>');
    assert.equal(html`${new SafeHtml('<br>')}${undefined}${null}${false}${0}`.value, '<br>0');
  });
});

describe('pages', () => {
  it('escape every reflected value', () => {
    const pages = [
      loginPage({ uid: EVIL, clientName: EVIL, username: EVIL, error: EVIL }),
      consentPage({
        uid: EVIL,
        clientName: EVIL,
        userName: EVIL,
        scopes: [EVIL],
        claims: [EVIL],
        resources: [{ resource: EVIL, scopes: [EVIL] }],
      }),
      errorPage(EVIL, EVIL, { [EVIL]: EVIL }),
    ];
    for (const page of pages) {
      assert.doesNotMatch(page, /<img/);
      assert.doesNotMatch(page, /onerror=alert\(1\)>/);
      assert.doesNotMatch(page, /<script/);
    }
  });

  it('post the login form to the interaction, over POST only', () => {
    const page = loginPage({ uid: 'abc', clientName: 'Gateway sign-in' });
    assert.match(page, /<form method="post" action="\/interaction\/abc\/login"/);
    assert.match(page, /<form method="post" action="\/interaction\/abc\/abort"/);
    assert.match(page, /type="password"/);
  });

  it('deny on the consent page posts to abort', () => {
    const page = consentPage({
      uid: 'abc',
      clientName: 'x',
      userName: 'y',
      scopes: [],
      claims: [],
      resources: [],
    });
    assert.match(page, /<form method="post" action="\/interaction\/abc\/confirm">/);
    assert.match(page, /<button type="submit" formaction="\/interaction\/abc\/abort">Deny<\/button>/);
  });

  it('describe the scopes asked for on the consent page', () => {
    const page = consentPage({
      uid: 'abc',
      clientName: 'Gateway sign-in',
      userName: 'Alice',
      scopes: ['openid', 'email', 'roles', 'custom'],
      claims: [],
      resources: [{ resource: 'api://adder', scopes: ['api://adder/.default'] }],
    });
    for (const text of ['Your email address', 'Your roles', '<li>custom</li>', '<code>api://adder</code>']) {
      assert.ok(page.includes(text), text);
    }
  });
});
