import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderTemplate, TemplateError } from './template.ts';

const render = (text: string, env: Record<string, string> = {}) =>
  renderTemplate(text, { name: 'dyn.yml', env });

describe('renderTemplate (Go template subset)', () => {
  it('reads environment variables', () => {
    assert.equal(render('url: {{ env "UPSTREAM" }}', { UPSTREAM: 'http://a:1' }), 'url: http://a:1');
    assert.equal(render('url: {{env "MISSING"}}'), 'url: ');
  });

  it('pipes into default, as the seeds write it', () => {
    const text = `url: '{{ env "PYBACKEND_URL" | default "http://127.0.0.1:8101" }}'`;
    assert.equal(render(text), `url: 'http://127.0.0.1:8101'`);
    assert.equal(render(text, { PYBACKEND_URL: 'http://10.0.0.2:80' }), `url: 'http://10.0.0.2:80'`);
    assert.equal(render(text, { PYBACKEND_URL: '' }), `url: 'http://127.0.0.1:8101'`);
  });

  it('supports literals, parentheses, raw strings, escapes and other sprig helpers', () => {
    assert.equal(render('{{ "a\\tb" }}'), 'a\tb');
    assert.equal(render('{{ `raw\\n` }}'), 'raw\\n');
    assert.equal(render('{{ default "x" (env "E") | upper }}', { E: 'abc' }), 'ABC');
    assert.equal(render('{{ env "E" | quote }}', { E: 'say "hi"' }), '"say \\"hi\\""');
    assert.equal(render('{{ env "E" | trimSuffix "/" }}', { E: 'http://a/' }), 'http://a');
  });

  it('trims whitespace with {{- and -}} and drops comments', () => {
    assert.equal(render('a  {{- "b" -}}  c'), 'abc');
    assert.equal(render('a{{/* note */}}b'), 'ab');
  });

  it('passes text without actions through untouched', () => {
    const text = 'http:\n  routers: {}\n';
    assert.equal(render(text), text);
  });

  it('rejects an unknown function, naming the file and line like Go', () => {
    assert.throws(
      () => render('a: 1\nb: {{ nope "X" }}\n'),
      (error: unknown) =>
        error instanceof TemplateError &&
        error.code === 'ERR_TEMPLATE' &&
        error.message === 'template: dyn.yml:2: function "nope" not defined',
    );
  });

  it('rejects unclosed actions, wrong arity and unsupported syntax', () => {
    assert.throws(() => render('{{ env "X" '), /dyn\.yml:1: unclosed action/);
    assert.throws(() => render('{{ env }}'), /wrong number of args for env/);
    assert.throws(() => render('{{ .Values }}'), /unexpected "\."/);
    assert.throws(() => render('{{ "a" | "b" }}'), /non-function/);
  });
});
