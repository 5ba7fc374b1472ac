import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileError, imageConfig, substitute } from './dockerfile.ts';

const text = `ARG BASE=node:24-slim
FROM \${BASE} AS runtime
ARG APP
ENV HOST=0.0.0.0 DIR=/app/apps/\${APP}
WORKDIR \${DIR}
USER 1000:1000
HEALTHCHECK --interval=10s --timeout=3s \\
  CMD ["node", "-e", "process.exit(0)"]
CMD ["node", "src/main.ts"]

FROM runtime AS one
ENV URL=http://127.0.0.1:1/
EXPOSE 1 2/tcp

FROM runtime AS shell
WORKDIR sub
ENTRYPOINT ["tini", "--"]
HEALTHCHECK CMD node -e 0 || exit 1

FROM runtime AS none
HEALTHCHECK NONE
CMD node src/other.ts
`;

describe('imageConfig', () => {
  it('follows the stage chain with ARG and ENV substitution', () => {
    const one = imageConfig(text, 'one', { APP: 'adder' });
    assert.equal(one.base.name, 'node:24-slim');
    assert.equal(one.workdir, '/app/apps/adder');
    assert.equal(one.user, '1000:1000');
    assert.deepEqual(one.env, {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      NODE_VERSION: '24',
      HOST: '0.0.0.0',
      DIR: '/app/apps/adder',
      URL: 'http://127.0.0.1:1/',
    });
    assert.deepEqual(one.entrypoint, ['docker-entrypoint.sh']);
    assert.deepEqual(one.cmd, ['node', 'src/main.ts']);
    assert.deepEqual(one.exposed, [1, 2]);
    assert.deepEqual(one.healthcheck, {
      test: { kind: 'exec', argv: ['node', '-e', 'process.exit(0)'] },
      intervalMs: 10_000,
      timeoutMs: 3000,
    });
  });

  it('drops the inherited CMD when a stage sets ENTRYPOINT, resolves relative WORKDIRs, reads shell forms', () => {
    const shell = imageConfig(text, 'shell', { APP: 'x' });
    assert.deepEqual(shell.entrypoint, ['tini', '--']);
    assert.deepEqual(shell.cmd, []);
    assert.equal(shell.workdir, '/app/apps/x/sub');
    assert.deepEqual(shell.healthcheck?.test, { kind: 'shell', command: 'node -e 0 || exit 1' });
    const none = imageConfig(text, undefined, { APP: 'x' });
    assert.equal(none.stage, 'none');
    assert.deepEqual(none.healthcheck, { test: 'none' });
    assert.deepEqual(none.cmd, ['/bin/sh', '-c', 'node src/other.ts']);
  });

  it('refuses an unknown stage or base image', () => {
    assert.throws(() => imageConfig(text, 'missing'), DockerfileError);
    assert.throws(() => imageConfig(text, 'one', { BASE: 'alpine:3' }), /alpine:3/);
  });

  it('substitutes as Docker does', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Docker's ${VAR} syntax, not a template
    assert.equal(substitute('$A/${A}/${B:-b}/${A:+y}/${B:+n}', { A: 'a' }), 'a/a/b/y/');
  });
});
