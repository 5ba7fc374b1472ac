import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  route,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

describe('dynamic configuration: templates, hot reload, rejection, duplicates', () => {
  let one: Upstream;
  let two: Upstream;
  let gw: TestGateway;

  before(async () => {
    one = await startUpstream((_req, res) => res.end('one'));
    two = await startUpstream((_req, res) => res.end('two'));
    gw = await startGateway({
      env: { TWO_URL: two.url },
      files: {
        // The seeds' pattern: the URL from the environment, with a default.
        'a-templated.yml': route(
          'from-env',
          'PathPrefix(`/env`)',
          `'{{ env "TWO_URL" | default "http://127.0.0.1:1" }}'`,
        ),
        'b-default.yml': route(
          'from-default',
          'PathPrefix(`/default`)',
          `'{{ env "UNSET_URL" | default "${one.url}" }}'`,
        ),
        'c-dup.yml': route('dup', 'PathPrefix(`/dup`)', one.url),
        'd-dup.yml': route('dup', 'PathPrefix(`/dup`)', two.url),
        'e-live.yml': route('live', 'PathPrefix(`/live`)', one.url),
      },
      static: { metrics: { prometheus: {} } },
    });
  });

  after(async () => {
    await gw.close();
    await one.close();
    await two.close();
  });

  it('renders {{ env }} with default before parsing', async () => {
    assert.equal((await send(`${gw.web}/env`)).body, 'two');
    assert.equal((await send(`${gw.web}/default`)).body, 'one');
  });

  it('keeps the first definition of a duplicate name and logs the skipped one', async () => {
    assert.equal((await send(`${gw.web}/dup`)).body, 'one');
    assert.ok(
      gw.logs.some((l) => /router "dup" defined again in .*d-dup\.yml is skipped/.test(String(l.msg))),
    );
  });

  it('logs a successful load with counts', () => {
    const loaded = gw.logs.find((l) => String(l.msg).startsWith('configuration loaded'));
    assert.ok(loaded);
    assert.deepEqual(loaded.routers, { enabled: 4, disabled: 0 });
  });

  it('picks up a changed file (watch)', async () => {
    await gw.write('e-live.yml', route('live', 'PathPrefix(`/live`)', two.url));
    await eventually(async () => (await send(`${gw.web}/live`)).body === 'two');
  });

  it('counts a reload for every `sed -i`-style save and serves each new configuration (not only the first)', {
    timeout: 10_000,
  }, async () => {
    const reloads = async () => {
      const text = (await send(`${gw.admin}/metrics`)).body;
      return Number(/^traefik_config_reloads_total (\d+)$/m.exec(text)?.[1]);
    };
    for (const [i, upstream] of [one, two, one, two].entries()) {
      const before = await reloads();
      // Synchronous, as sed does it: the temporary file is gone before the watcher can list it.
      const temporary = join(gw.dir, `sed${i}`);
      writeFileSync(temporary, route('live', 'PathPrefix(`/live`)', upstream.url));
      renameSync(temporary, join(gw.dir, 'e-live.yml'));
      await eventually(async () => (await reloads()) === before + 1);
      assert.equal((await send(`${gw.web}/live`)).body, upstream === one ? 'one' : 'two');
    }
  });

  it('rejects a change with invalid YAML as a whole, logs the file, and keeps serving the last good config', async () => {
    const errorsBefore = gw.logs.filter((l) => l.level === 'error').length;
    const rejections = () => gw.logs.filter((l) => String(l.msg).startsWith('configuration rejected'));
    await gw.write('f-broken.yml', 'http:\n  routers:\n    broken: {rule: [\n');
    await eventually(() => rejections().length >= 1);
    const rejection = rejections()[0];
    assert.match(String(rejection?.file), /f-broken\.yml$/);
    assert.match(
      String(rejection?.msg),
      /f-broken\.yml: invalid YAML \(line \d+, column \d+\).*last good configuration keeps serving/,
    );
    assert.ok(gw.logs.filter((l) => l.level === 'error').length > errorsBefore);

    // A valid addition in another file is rejected too while the broken file is there.
    const count = rejections().length;
    await gw.write('g-new.yml', route('new', 'PathPrefix(`/new`)', one.url));
    await eventually(() => rejections().length > count);
    assert.equal((await send(`${gw.web}/new`)).status, 404);
    assert.equal((await send(`${gw.web}/live`)).body, 'two', 'the last good config keeps serving');

    // Fixing the file lets the whole change in.
    await gw.write('f-broken.yml', '');
    await eventually(async () => (await send(`${gw.web}/new`)).status === 200);
  });

  it('rejects a change with a template error as a whole, naming the file', async () => {
    const rejections = () => gw.logs.filter((l) => String(l.msg).includes('function "vault" not defined'));
    await gw.write('h-template.yml', 'x: {{ vault "secret" }}\n');
    await eventually(() => rejections().length >= 1);
    assert.match(String(rejections()[0]?.msg), /h-template\.yml:1: function "vault" not defined/);
    assert.equal((await send(`${gw.web}/live`)).body, 'two');
    await gw.write('h-template.yml', '');
  });

  it('logs a rejection at error with the file and the error, and the first good load after it at info', async () => {
    const good = route('flaky', 'PathPrefix(`/flaky`)', one.url);
    await gw.write('i-flaky.yml', good);
    await eventually(async () => (await send(`${gw.web}/flaky`)).status === 200);
    const mark = gw.logs.length;
    const since = (prefix: string) => gw.logs.slice(mark).filter((l) => String(l.msg).startsWith(prefix));

    await gw.write('i-flaky.yml', 'http: [\n');
    await eventually(() => since('configuration rejected').length >= 1);
    const rejection = since('configuration rejected')[0] as Record<string, unknown>;
    assert.equal(rejection.level, 'error');
    assert.match(String(rejection.file), /i-flaky\.yml$/);
    assert.match(String((rejection.err as { message?: unknown }).message), /i-flaky\.yml: invalid YAML/);
    assert.equal(since('configuration recovered').length, 0);

    // Put back as it was: the configuration in service does not change, and the recovery is still logged.
    await gw.write('i-flaky.yml', good);
    await eventually(() => since('configuration recovered').length >= 1);
    const recovery = since('configuration recovered')[0] as Record<string, unknown>;
    assert.equal(recovery.level, 'info');
    assert.match(
      String(recovery.msg),
      /after rejecting .*i-flaky\.yml: it matches the configuration in service$/,
    );
    assert.deepEqual(
      (recovery.files as string[]).map((file) => file.endsWith('i-flaky.yml')),
      [true],
    );
    // Only the first good load after the rejection says so.
    assert.ok((await gw.gateway.reload()).ok);
    assert.equal(since('configuration recovered').length, 1);
    assert.equal((await send(`${gw.web}/flaky`)).status, 200);
  });

  it('skips a reload that changes nothing', async () => {
    await eventually(async () => (await gw.gateway.reload()).ok);
    const result = await gw.gateway.reload();
    assert.deepEqual(result, { ok: true, changed: false });
  });
});
