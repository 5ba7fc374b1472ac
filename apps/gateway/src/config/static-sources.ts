/**
 * Where the static configuration comes from: the `--configFile` YAML, its static extensions file (below),
 * `--a.b.c=value` flags and the `GATEWAY_ENTRYPOINTS_<NAME>_ADDRESS`, `GATEWAY_ALIAS_HEADERS_STRATEGY`,
 * `GATEWAY_ADMIN_PUBLIC` and `GATEWAY_WORKERS` variables. Traefik makes these sources
 * mutually exclusive; here flags and variables override the files, so tests and the launcher can move ports
 * without editing them. Precedence: file < extensions file < environment < flags.
 *
 * The extensions file holds what only this gateway reads: Traefik refuses unknown static fields, so they cannot
 * live in a file real Traefik also runs. `gateway.yml` → `gateway.extensions.yml` beside it, read when present,
 * same format; Traefik never opens it.
 */

import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { StaticConfigError } from '../errors.ts';
import { findKey, getIn, isRawMap, mergeRaw, type RawMap, setIn } from './raw.ts';
import { type ParsedStaticConfig, parseStaticConfig } from './static.ts';

/** Where to read the static configuration from. */
export interface StaticSources {
  /** Command-line arguments, without `node` and the script. */
  readonly argv: readonly string[];
  /** Environment variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths given as flags resolve against. */
  readonly cwd: string;
}

/** The command line, split into the config file, the overriding flags and the meta options. */
export interface ParsedArgs {
  readonly configFile: string | undefined;
  readonly flags: RawMap;
  readonly help: boolean;
  readonly version: boolean;
}

/** A static configuration with the files it was read from. */
export interface LoadedStaticConfig extends ParsedStaticConfig {
  readonly configFile: string | undefined;
  /** The static extensions file, when there was one. */
  readonly extensionsFile: string | undefined;
}

/** The static extensions file of a config file: `dir/gateway.yml` → `dir/gateway.extensions.yml`. */
export function extensionsFileOf(configFile: string): string {
  const ext = extname(configFile);
  return join(dirname(configFile), `${basename(configFile, ext)}.extensions${ext}`);
}

// Fields holding file paths: relative values resolve against the directory of the source that set them.
const pathFields: readonly (readonly string[])[] = [
  ['providers', 'file', 'directory'],
  ['providers', 'file', 'filename'],
  ['accessLog', 'filePath'],
  ['log', 'filePath'],
];

/**
 * Splits argv into `--configFile`, `--help`, `--version` and Traefik-style dotted flags
 * (`--entryPoints.web.address=:9000`, `--entryPoints.web.address :9000`, or `--ping` for `true`).
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  let configFile: string | undefined;
  let help = false;
  let version = false;
  const flags: RawMap = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new StaticConfigError([`unexpected argument "${arg}"`]);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) value = argv[++i] ?? '';
    else value = 'true';
    const lower = name.toLowerCase();
    if (lower === 'configfile') configFile = value;
    else if (lower === 'version') version = true;
    else if (name === '' || name.split('.').some((s) => s === '')) {
      throw new StaticConfigError([`invalid flag "${arg}"`]);
    } else setIn(flags, name.split('.'), value);
  }
  return { configFile, flags, help, version };
}

/** Reads and validates the static configuration from every source. Throws {@link StaticConfigError}. */
export async function loadStaticConfig(sources: StaticSources): Promise<LoadedStaticConfig> {
  const args = parseArgs(sources.argv);
  let fromFile: RawMap = {};
  let configFile: string | undefined;
  let extensionsFile: string | undefined;
  if (args.configFile !== undefined) {
    configFile = resolve(sources.cwd, args.configFile);
    fromFile = await readStaticFile(configFile);
    const extensions = await readStaticFile(extensionsFileOf(configFile), { optional: true });
    if (extensions !== undefined) {
      extensionsFile = extensionsFileOf(configFile);
      fromFile = mergeRaw(fromFile, extensions);
    }
    resolvePaths(fromFile, dirname(configFile));
  }
  const flags = structuredClone(args.flags);
  resolvePaths(flags, sources.cwd);
  const fromEnv = environmentOverrides(sources.env, mergeRaw(fromFile, flags));
  const parsed = parseStaticConfig(mergeRaw(mergeRaw(fromFile, fromEnv), flags));
  return { ...parsed, configFile, extensionsFile };
}

/** Reads a static YAML file; an optional one that does not exist gives `undefined`. */
async function readStaticFile(file: string): Promise<RawMap>;
async function readStaticFile(file: string, options: { optional: true }): Promise<RawMap | undefined>;
async function readStaticFile(file: string, options?: { optional: true }): Promise<RawMap | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (options?.optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StaticConfigError([`cannot read ${file}: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new StaticConfigError([`${file}: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (raw === null || raw === undefined) return {};
  if (!isRawMap(raw)) throw new StaticConfigError([`${file}: the top level must be a map`]);
  return raw;
}

function resolvePaths(raw: RawMap, base: string): void {
  for (const path of pathFields) {
    const value = getIn(raw, path);
    if (typeof value === 'string' && value !== '' && !isAbsolute(value))
      setIn(raw, path, resolve(base, value));
  }
}

const entryPointVariable = /^GATEWAY_ENTRYPOINTS_(.+)_ADDRESS$/;

/**
 * `GATEWAY_ENTRYPOINTS_<NAME>_ADDRESS=:9000` → `entryPoints.<name>.address` (NAME matches case-insensitively);
 * `GATEWAY_ALIAS_HEADERS_STRATEGY=delete` → `entryPoints.<every one>.http.aliasHeadersStrategy` where the files
 * leave it unset; `GATEWAY_ADMIN_PUBLIC=true` → `api.allowPublicAddress`; `GATEWAY_WORKERS=2` → `workers`.
 */
function environmentOverrides(env: StaticSources['env'], known: RawMap): RawMap {
  const out: RawMap = {};
  const declared = getIn(known, ['entryPoints']);
  for (const [variable, value] of Object.entries(env)) {
    const match = entryPointVariable.exec(variable);
    if (!match || value === undefined) continue;
    const name = match[1] ?? '';
    const existing = isRawMap(declared) ? findKey(declared, name) : undefined;
    setIn(out, ['entryPoints', existing ?? name.toLowerCase(), 'address'], value);
  }
  // A Traefik v3.7.12+ field that a file shared with an older Traefik cannot carry (it refuses unknown static
  // fields), so deployments of this gateway set it here; a value in a file or flag still wins.
  const aliasStrategy = env.GATEWAY_ALIAS_HEADERS_STRATEGY;
  if (aliasStrategy !== undefined && aliasStrategy !== '' && isRawMap(declared)) {
    if (!['keep', 'delete', 'reject'].includes(aliasStrategy)) {
      throw new StaticConfigError([
        `GATEWAY_ALIAS_HEADERS_STRATEGY: "${aliasStrategy}" is not one of keep, delete, reject`,
      ]);
    }
    for (const name of Object.keys(declared)) {
      if (getIn(known, ['entryPoints', name, 'http', 'aliasHeadersStrategy']) !== undefined) continue;
      setIn(out, ['entryPoints', name, 'http', 'aliasHeadersStrategy'], aliasStrategy);
    }
  }
  // Only where there is an API: the variable alone must not turn it on.
  const adminPublic = env.GATEWAY_ADMIN_PUBLIC;
  if (adminPublic !== undefined && isRawMap(getIn(known, ['api']))) {
    setIn(out, ['api', 'allowPublicAddress'], adminPublic);
  }
  if (env.GATEWAY_WORKERS !== undefined && env.GATEWAY_WORKERS !== '')
    setIn(out, ['workers'], env.GATEWAY_WORKERS);
  return out;
}
