import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { DEFAULT_IDENTITY_CONFIG } from '../config.ts';
import { DirectoryError, loadDirectory, parseDirectory } from './load.ts';

const HASH = '$scrypt$ln=15,r=8,p=1$uZl7PQRAKnJn2eLlKUlIqA$h8hVQV0QUi2/HsFyA8FZAatIOuYdDweQfD5013KsHJM';

type Entry = Record<string, unknown>;

function valid(): { resources: Entry[]; clients: Entry[]; users: Entry[] } {
  return {
    resources: [{ id: 'api://adder', roles: ['invokeRole'], accessTokenTTL: 600 }],
    clients: [
      {
        id: 'cli',
        secret: 'cli-secret',
        grantTypes: ['client_credentials'],
        roles: { 'api://adder': ['invokeRole'] },
      },
      {
        id: 'web',
        secret: 'web-secret',
        grantTypes: ['authorization_code'],
        redirectUris: ['http://localhost:8000/oauth2/callback'],
      },
    ],
    users: [
      { id: 'alice', name: 'Alice', email: 'alice@example.com', passwordHash: HASH, roles: ['reader'] },
    ],
  };
}

/** The one-line message for a file made of `valid()` changed by `edit`. */
function errorFor(edit: (data: ReturnType<typeof valid>) => unknown): string {
  const data = valid();
  const text = stringify(edit(data) ?? data);
  try {
    parseDirectory('/etc/identity.yml', text);
  } catch (err) {
    assert.ok(err instanceof DirectoryError, String(err));
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
  assert.fail('expected a DirectoryError');
}

describe('the demo directory', () => {
  it('loads infra/identity/identity.yml: api://adder, three clients, two users', async () => {
    const directory = await loadDirectory(DEFAULT_IDENTITY_CONFIG);
    assert.deepEqual([...directory.resources.keys()], ['api://adder']);
    assert.deepEqual(directory.resources.get('api://adder')?.scopes, ['api://adder/.default']);
    assert.deepEqual([...directory.clients.keys()], ['adder-cli', 'no-role-client', 'forward-auth']);
    assert.deepEqual(directory.clients.get('adder-cli')?.roles.get('api://adder'), ['invokeRole']);
    assert.equal(directory.clients.get('no-role-client')?.roles.size, 0);
    assert.deepEqual(directory.clients.get('forward-auth')?.redirectUris, [
      'http://localhost:8000/oauth2/callback',
    ]);
    assert.deepEqual(directory.users.get('alice')?.roles, ['reader']);
    assert.deepEqual(directory.users.get('bob')?.roles, []);
  });
});

describe('parseDirectory', () => {
  it('applies defaults: name = id, TTL 600 s, .default scope', () => {
    const directory = parseDirectory(
      'x.yml',
      stringify({ resources: [{ id: 'https://api.example.com' }], clients: [], users: [] }),
    );
    assert.deepEqual(directory.resources.get('https://api.example.com'), {
      id: 'https://api.example.com',
      name: 'https://api.example.com',
      scopes: ['https://api.example.com/.default'],
      roles: [],
      accessTokenTTL: 600,
    });
  });

  it('reads JSON when the file ends in .json', () => {
    const directory = parseDirectory('x.json', JSON.stringify(valid()));
    assert.equal(directory.users.size, 1);
  });

  it('names the file and the field of a schema error', () => {
    assert.equal(
      errorFor((d) => {
        (d.clients[0] as Entry).grantTypes = ['password'];
      }),
      '/etc/identity.yml: clients[0].grantTypes[0]: must be one of client_credentials, authorization_code, refresh_token',
    );
    assert.equal(
      errorFor((d) => {
        (d.users[0] as Entry).pasword = 'x';
      }),
      "/etc/identity.yml: users[0]: unknown field 'pasword'",
    );
    assert.equal(
      errorFor((d) => {
        delete (d.clients[1] as Entry).secret;
      }),
      "/etc/identity.yml: clients[1]: missing field 'secret'",
    );
    assert.match(
      errorFor((d) => {
        d.resources[0] = { ...d.resources[0], accessTokenTTL: 0 };
      }),
      /^\/etc\/identity\.yml: resources\[0\]\.accessTokenTTL: /,
    );
    assert.equal(
      errorFor(() => ({ resources: [], clients: [] })),
      "/etc/identity.yml: missing field 'users'",
    );
  });

  it('checks what the schema cannot', () => {
    assert.equal(
      errorFor((d) => {
        d.clients[1] = { ...d.clients[0] };
      }),
      "/etc/identity.yml: clients[1].id: duplicate client 'cli'",
    );
    assert.equal(
      errorFor((d) => {
        delete (d.clients[1] as Entry).redirectUris;
      }),
      '/etc/identity.yml: clients[1].redirectUris: required with the authorization_code grant',
    );
    assert.equal(
      errorFor((d) => {
        d.clients[0] = { ...d.clients[0], roles: { 'api://nope': ['x'] } };
      }),
      "/etc/identity.yml: clients[0].roles: unknown resource 'api://nope'",
    );
    assert.equal(
      errorFor((d) => {
        d.clients[0] = { ...d.clients[0], roles: { 'api://adder': ['adminRole'] } };
      }),
      "/etc/identity.yml: clients[0].roles.api://adder: 'adminRole' is not a role of resource 'api://adder'",
    );
    assert.match(
      errorFor((d) => {
        (d.users[0] as Entry).passwordHash = 'alice-password';
      }),
      /^\/etc\/identity\.yml: users\[0\]\.passwordHash: must be a scrypt PHC string/,
    );
    assert.equal(
      errorFor((d) => {
        d.resources.push({ id: 'api://adder/.default', roles: [], accessTokenTTL: 60 });
      }),
      "/etc/identity.yml: resources[1].id: must not end with '/.default' (that is the scope form)",
    );
  });

  it('names the file and the line of a YAML syntax error', () => {
    assert.throws(
      () => parseDirectory('/etc/identity.yml', 'resources: [\nclients: {'),
      (err: Error) =>
        err instanceof DirectoryError &&
        /^\/etc\/identity\.yml: not valid YAML: .+ at line 2, column 1$/.test(err.message),
    );
    assert.throws(
      () => parseDirectory('/etc/identity.json', '{'),
      /^DirectoryError: \/etc\/identity\.json: not valid JSON: /,
    );
  });

  it('names a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'identity-config-'));
    try {
      await assert.rejects(loadDirectory(join(dir, 'nope.yml')), (err: Error) =>
        err.message.endsWith('nope.yml: cannot read: file not found'),
      );
      const file = join(dir, 'ok.yml');
      await writeFile(file, stringify(valid()));
      assert.equal((await loadDirectory(file)).clients.size, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the config file as a template', () => {
  it('renders {{ env }} before parsing, so the demo file follows GATEWAY_PUBLIC_URL', async () => {
    const standard = await loadDirectory(DEFAULT_IDENTITY_CONFIG, {});
    assert.deepEqual(standard.clients.get('forward-auth')?.redirectUris, [
      'http://localhost:8000/oauth2/callback',
    ]);
    const moved = await loadDirectory(DEFAULT_IDENTITY_CONFIG, { GATEWAY_PUBLIC_URL: 'https://gw.example' });
    assert.deepEqual(moved.clients.get('forward-auth')?.redirectUris, ['https://gw.example/oauth2/callback']);
    assert.deepEqual(moved.clients.get('forward-auth')?.postLogoutRedirectUris, [
      'https://gw.example/oauth2/signed_out',
    ]);
  });

  it('names the file and line of a template error', () => {
    assert.throws(
      () => parseDirectory('/etc/identity.yml', 'resources: []\nclients: [{{ nope }}]\n'),
      (err: unknown) =>
        err instanceof DirectoryError && /identity\.yml:2: function "nope" not defined/.test(err.message),
    );
  });
});
