import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative } from 'node:path';
import { renderTemplate } from '@gateway-pattern/go-template';
import type { TLocalizedValidationError } from 'typebox/error';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { passwordHashProblem } from '../users/password.ts';
import {
  type ClientEntry,
  DirectoryFileSchema,
  PATTERN_MEANINGS,
  type ResourceEntry,
  type UserEntry,
} from './schema.ts';

/** Lifetime of access tokens for a resource that sets none, in seconds. */
export const DEFAULT_ACCESS_TOKEN_TTL = 600;

/** An API clients can get tokens for; `scopes` always includes `<id>/.default`. */
export interface Resource {
  id: string;
  name: string;
  scopes: readonly string[];
  roles: readonly string[];
  accessTokenTTL: number;
}

/** A registered OAuth client, with its app roles per resource id. */
export interface Client {
  id: string;
  name: string;
  secret: string;
  grantTypes: readonly ('client_credentials' | 'authorization_code' | 'refresh_token')[];
  redirectUris: readonly string[];
  postLogoutRedirectUris: readonly string[];
  roles: ReadonlyMap<string, readonly string[]>;
}

/** A person who signs in on the login page. */
export interface User {
  id: string;
  name: string;
  email: string;
  passwordHash: string;
  roles: readonly string[];
}

/** Resources, clients and users of the identity provider, validated. */
export interface Directory {
  resources: ReadonlyMap<string, Resource>;
  clients: ReadonlyMap<string, Client>;
  users: ReadonlyMap<string, User>;
}

/** The identity config file is unreadable or invalid; the message is one line naming the file and the field. */
export class DirectoryError extends Error {
  readonly code = 'ERR_IDENTITY_CONFIG';
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, problem: string, options?: { cause?: unknown }) {
    super(`${displayPath(file)}: ${field ? `${field}: ` : ''}${problem}`, options);
    this.name = 'DirectoryError';
    this.file = file;
    this.field = field;
  }
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** What `{{ env "X" }}` in the config file reads. */
type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads, renders, parses (YAML, or JSON for `.json`) and validates the identity config file. Like the gateway's
 * dynamic files, it is a Go template first, so `{{ env "GATEWAY_PUBLIC_URL" | default "http://localhost:8000" }}`
 * lets one file serve every deployment.
 */
export async function loadDirectory(file: string, env: Environment = process.env): Promise<Directory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new DirectoryError(file, '', `cannot read: ${reason}`, { cause: err });
  }
  return parseDirectory(file, text, env);
}

/**
 * Renders, parses and validates the text of an identity config file; `file` names it in errors and picks the
 * format.
 */
export function parseDirectory(file: string, source: string, env: Environment = {}): Directory {
  let text: string;
  try {
    text = renderTemplate(source, { name: displayPath(file), env });
  } catch (err) {
    throw new DirectoryError(file, '', (err as Error).message, { cause: err });
  }
  let data: unknown;
  try {
    data = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    // yaml's first line says what and where ("... at line 2, column 1:"); the lines after it quote the file.
    const first = ((err as Error).message.split('\n')[0] ?? '').trim().replace(/:$/, '');
    throw new DirectoryError(file, '', `not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${first}`, {
      cause: err,
    });
  }
  if (!Value.Check(DirectoryFileSchema, data)) {
    const [field, problem] = describeSchemaError(Value.Errors(DirectoryFileSchema, data));
    throw new DirectoryError(file, field, problem);
  }
  const fail = (field: string, problem: string): never => {
    throw new DirectoryError(file, field, problem);
  };
  const resources = buildResources(data.resources, fail);
  return {
    resources,
    clients: buildClients(data.clients, resources, fail),
    users: buildUsers(data.users, fail),
  };
}

type Fail = (field: string, problem: string) => never;

function buildResources(entries: readonly ResourceEntry[], fail: Fail): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  entries.forEach((entry, i) => {
    const field = `resources[${i}]`;
    if (resources.has(entry.id)) fail(`${field}.id`, `duplicate resource '${entry.id}'`);
    if (URL.parse(entry.id) === null) fail(`${field}.id`, `'${entry.id}' is not an absolute URI`);
    if (entry.id.endsWith('/.default'))
      fail(`${field}.id`, "must not end with '/.default' (that is the scope form)");
    const defaultScope = `${entry.id}/.default`;
    resources.set(entry.id, {
      id: entry.id,
      name: entry.name ?? entry.id,
      scopes: [...new Set([...(entry.scopes ?? []), defaultScope])],
      roles: entry.roles ?? [],
      accessTokenTTL: entry.accessTokenTTL ?? DEFAULT_ACCESS_TOKEN_TTL,
    });
  });
  return resources;
}

function buildClients(
  entries: readonly ClientEntry[],
  resources: ReadonlyMap<string, Resource>,
  fail: Fail,
): Map<string, Client> {
  const clients = new Map<string, Client>();
  entries.forEach((entry, i) => {
    const field = `clients[${i}]`;
    if (clients.has(entry.id)) fail(`${field}.id`, `duplicate client '${entry.id}'`);
    const redirectUris = entry.redirectUris ?? [];
    if (entry.grantTypes.includes('authorization_code') && redirectUris.length === 0) {
      fail(`${field}.redirectUris`, 'required with the authorization_code grant');
    }
    if (entry.grantTypes.includes('refresh_token') && !entry.grantTypes.includes('authorization_code')) {
      fail(`${field}.grantTypes`, 'refresh_token needs authorization_code');
    }
    const roles = new Map<string, readonly string[]>();
    for (const [resourceId, granted] of Object.entries(entry.roles ?? {})) {
      const resource = resources.get(resourceId);
      if (!resource) fail(`${field}.roles`, `unknown resource '${resourceId}'`);
      for (const role of granted) {
        if (!resource?.roles.includes(role)) {
          fail(`${field}.roles.${resourceId}`, `'${role}' is not a role of resource '${resourceId}'`);
        }
      }
      roles.set(resourceId, granted);
    }
    clients.set(entry.id, {
      id: entry.id,
      name: entry.name ?? entry.id,
      secret: entry.secret,
      grantTypes: entry.grantTypes,
      redirectUris,
      postLogoutRedirectUris: entry.postLogoutRedirectUris ?? [],
      roles,
    });
  });
  return clients;
}

function buildUsers(entries: readonly UserEntry[], fail: Fail): Map<string, User> {
  const users = new Map<string, User>();
  entries.forEach((entry, i) => {
    const field = `users[${i}]`;
    if (users.has(entry.id)) fail(`${field}.id`, `duplicate user '${entry.id}'`);
    const problem = passwordHashProblem(entry.passwordHash);
    if (problem) fail(`${field}.passwordHash`, problem);
    users.set(entry.id, { ...entry, roles: entry.roles ?? [] });
  });
  return users;
}

/** The most useful schema error as `[field, problem]`, the field in `clients[2].redirectUris[0]` form. */
function describeSchemaError(errors: readonly TLocalizedValidationError[]): [string, string] {
  // `additionalProperties: false` reports both a "schema is false" and an additionalProperties error; keep the latter.
  const error = errors.find((e) => e.keyword !== 'boolean') ?? errors[0];
  if (!error) return ['', 'is invalid'];
  const field = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties' && Array.isArray(params.additionalProperties)) {
    return [field, `unknown field '${String(params.additionalProperties[0])}'`];
  }
  if (error.keyword === 'required' && Array.isArray(params.requiredProperties)) {
    return [field, `missing field '${String(params.requiredProperties[0])}'`];
  }
  const meaning = error.keyword === 'pattern' ? PATTERN_MEANINGS[String(params.pattern)] : undefined;
  if (meaning) return [field, meaning];
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return [field, `must be one of ${params.allowedValues.join(', ')}`];
  }
  return [field, error.message];
}
