/**
 * compose.yaml as Compose reads it: YAML with merge keys (`<<: *anchor`), every string value interpolated, and each
 * service normalised into one shape (environment as a map, ports and volumes parsed, depends_on with conditions,
 * the health check in milliseconds). Only the fields this project's checks and rehearsal read are modelled.
 */

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { durationMs, type HealthcheckFields, parseTest } from './healthcheck.ts';
import { interpolateTree, type Variables } from './interpolate.ts';

/** The file says something this reader does not accept (or Compose would not). */
export class ComposeFileError extends Error {
  readonly code = 'COMPOSE_FILE_INVALID';
}

/** `depends_on` conditions. */
export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/** A published port: `[ip:]host:container[/protocol]`. */
export interface PortMapping {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
}

/** A bind mount: a host path (absolute) at a container path. */
export interface BindMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** A named volume (declared under the top-level `volumes:`) at a container path. */
export interface NamedVolume {
  readonly name: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** `build:`: the context (absolute), the Dockerfile (absolute), the stage and the build arguments. */
export interface BuildSpec {
  readonly context: string;
  readonly dockerfile: string;
  readonly target: string | undefined;
  readonly args: Readonly<Record<string, string>>;
}

/** One service, normalised. */
export interface ServiceSpec {
  readonly name: string;
  readonly image: string | undefined;
  readonly build: BuildSpec | undefined;
  readonly command: string[] | undefined;
  readonly entrypoint: string[] | undefined;
  readonly workingDir: string | undefined;
  readonly user: string | undefined;
  readonly environment: Readonly<Record<string, string>>;
  readonly ports: readonly PortMapping[];
  readonly volumes: readonly BindMount[];
  readonly namedVolumes: readonly NamedVolume[];
  readonly dependsOn: Readonly<Record<string, DependsCondition>>;
  /** The service's own fields; the image's HEALTHCHECK fills in the rest. */
  readonly healthcheck: HealthcheckFields | undefined;
  readonly profiles: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly readOnly: boolean;
}

/** The whole file. */
export interface ComposeProject {
  readonly file: string;
  /** The project directory: where relative paths resolve. */
  readonly dir: string;
  readonly services: ReadonlyMap<string, ServiceSpec>;
  /** The named volumes the file declares. */
  readonly volumes: ReadonlySet<string>;
}

type Raw = Record<string, unknown>;

const isMap = (value: unknown): value is Raw =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function stringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((item) => String(item));
  // A string is split by Compose with shell rules; this project writes lists, so only plain words are accepted.
  if (typeof value === 'string') {
    if (/["'\\]/.test(value)) throw new ComposeFileError(`${what}: write it as a list, not a quoted string`);
    return value.split(/\s+/).filter((word) => word !== '');
  }
  throw new ComposeFileError(`${what}: expected a list of strings`);
}

function stringMap(value: unknown, what: string, vars: Variables): Record<string, string> {
  if (value === undefined || value === null) return {};
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq === -1) {
        // `- NAME` passes the variable through from the environment Compose runs in.
        const passed = vars[text];
        if (passed !== undefined) out[text] = passed;
      } else out[text.slice(0, eq)] = text.slice(eq + 1);
    }
    return out;
  }
  if (!isMap(value)) throw new ComposeFileError(`${what}: expected a map or a list of NAME=value`);
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) {
      const passed = vars[key];
      if (passed !== undefined) out[key] = passed;
    } else out[key] = String(item);
  }
  return out;
}

function portNumber(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    throw new ComposeFileError(`${what}: bad port ${text}`);
  return port;
}

/** Short syntax `[ip:][host:]container[/proto]` (IPv4 addresses only) or the long syntax. */
export function parsePort(value: unknown, what: string): PortMapping {
  if (isMap(value)) {
    const protocol = value.protocol === 'udp' ? 'udp' : 'tcp';
    return {
      hostIp: String(value.host_ip ?? '0.0.0.0'),
      hostPort: portNumber(String(value.published ?? value.target), what),
      containerPort: portNumber(String(value.target), what),
      protocol,
    };
  }
  const text = String(value);
  const [spec = '', proto = 'tcp'] = text.split('/');
  if (proto !== 'tcp' && proto !== 'udp') throw new ComposeFileError(`${what}: bad protocol in ${text}`);
  const parts = spec.split(':');
  if (parts.some((part) => part.includes('-')))
    throw new ComposeFileError(`${what}: port ranges are not supported`);
  const [a, b, c] = parts;
  if (parts.length === 1 && a !== undefined) {
    throw new ComposeFileError(`${what}: ${text} publishes on a random host port; give the host port`);
  }
  if (parts.length === 2 && a !== undefined && b !== undefined) {
    return {
      hostIp: '0.0.0.0',
      hostPort: portNumber(a, what),
      containerPort: portNumber(b, what),
      protocol: proto,
    };
  }
  if (parts.length === 3 && a !== undefined && b !== undefined && c !== undefined) {
    return { hostIp: a, hostPort: portNumber(b, what), containerPort: portNumber(c, what), protocol: proto };
  }
  throw new ComposeFileError(`${what}: cannot read port ${text}`);
}

/** A bind mount (`./path:/target[:ro]`) or a named volume (`name:/target[:ro]`), short syntax only. */
function parseVolume(value: unknown, dir: string, what: string): BindMount | NamedVolume {
  if (typeof value !== 'string')
    throw new ComposeFileError(`${what}: only the short syntax source:target[:ro] is read`);
  const [source = '', target, mode] = value.split(':');
  if (target === undefined || !target.startsWith('/')) {
    throw new ComposeFileError(
      `${what}: ${value} names no container path (anonymous volumes are not used here)`,
    );
  }
  const readOnly = mode === 'ro';
  if (source.startsWith('.') || source.startsWith('/'))
    return { source: isAbsolute(source) ? source : resolve(dir, source), target, readOnly };
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(source))
    throw new ComposeFileError(`${what}: ${source} is neither a path nor a volume name`);
  return { name: source, target, readOnly };
}

function parseDependsOn(value: unknown, what: string): Record<string, DependsCondition> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value))
    return Object.fromEntries(value.map((name) => [String(name), 'service_started' as const]));
  if (!isMap(value)) throw new ComposeFileError(`${what}: expected a list or a map`);
  const out: Record<string, DependsCondition> = {};
  for (const [name, spec] of Object.entries(value)) {
    const condition = isMap(spec) ? (spec.condition ?? 'service_started') : 'service_started';
    if (
      condition !== 'service_started' &&
      condition !== 'service_healthy' &&
      condition !== 'service_completed_successfully'
    ) {
      throw new ComposeFileError(`${what}.${name}: unknown condition ${String(condition)}`);
    }
    out[name] = condition;
  }
  return out;
}

function parseHealthcheck(value: unknown, what: string): HealthcheckFields | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMap(value)) throw new ComposeFileError(`${what}: expected a map`);
  if (value.disable === true) return { test: 'none' };
  const fields: HealthcheckFields = {};
  if (value.test !== undefined) fields.test = parseTest(value.test, what);
  if (value.interval !== undefined)
    fields.intervalMs = durationMs(String(value.interval), `${what}.interval`);
  if (value.timeout !== undefined) fields.timeoutMs = durationMs(String(value.timeout), `${what}.timeout`);
  if (value.start_period !== undefined)
    fields.startPeriodMs = durationMs(String(value.start_period), `${what}.start_period`);
  if (value.retries !== undefined) fields.retries = Number(value.retries);
  return fields;
}

function parseBuild(value: unknown, dir: string, what: string): BuildSpec | undefined {
  if (value === undefined || value === null) return undefined;
  const spec: Raw = typeof value === 'string' ? { context: value } : isMap(value) ? value : {};
  const context = resolve(dir, String(spec.context ?? '.'));
  return {
    context,
    dockerfile: resolve(context, String(spec.dockerfile ?? 'Dockerfile')),
    target: spec.target === undefined ? undefined : String(spec.target),
    args: stringMap(spec.args, `${what}.args`, {}),
  };
}

function parseService(name: string, raw: Raw, dir: string, vars: Variables): ServiceSpec {
  const what = `services.${name}`;
  const volumes = (Array.isArray(raw.volumes) ? raw.volumes : []).map((v, i) =>
    parseVolume(v, dir, `${what}.volumes[${i}]`),
  );
  return {
    name,
    image: raw.image === undefined ? undefined : String(raw.image),
    build: parseBuild(raw.build, dir, `${what}.build`),
    command: stringList(raw.command, `${what}.command`),
    entrypoint: stringList(raw.entrypoint, `${what}.entrypoint`),
    workingDir: raw.working_dir === undefined ? undefined : String(raw.working_dir),
    user: raw.user === undefined ? undefined : String(raw.user),
    environment: stringMap(raw.environment, `${what}.environment`, vars),
    ports: (Array.isArray(raw.ports) ? raw.ports : []).map((p, i) => parsePort(p, `${what}.ports[${i}]`)),
    volumes: volumes.filter((v): v is BindMount => 'source' in v),
    namedVolumes: volumes.filter((v): v is NamedVolume => 'name' in v),
    dependsOn: parseDependsOn(raw.depends_on, `${what}.depends_on`),
    healthcheck: parseHealthcheck(raw.healthcheck, `${what}.healthcheck`),
    profiles: stringList(raw.profiles, `${what}.profiles`) ?? [],
    labels: stringMap(raw.labels, `${what}.labels`, vars),
    readOnly: raw.read_only === true,
  };
}

/** Parses compose text; `vars` is the environment interpolation reads (the file's own defaults when empty). */
export function parseCompose(text: string, file: string, vars: Variables = {}): ComposeProject {
  const doc = interpolateTree(parse(text, { merge: true }), vars);
  if (!isMap(doc) || !isMap(doc.services)) throw new ComposeFileError(`${file}: no services`);
  const dir = dirname(file);
  if (doc.volumes !== undefined && doc.volumes !== null && !isMap(doc.volumes))
    throw new ComposeFileError(`${file}: volumes must be a map`);
  const volumes = new Set(Object.keys(doc.volumes ?? {}));
  const services = new Map<string, ServiceSpec>();
  for (const [name, raw] of Object.entries(doc.services)) {
    if (!isMap(raw)) throw new ComposeFileError(`${file}: services.${name} must be a map`);
    services.set(name, parseService(name, raw, dir, vars));
  }
  for (const service of services.values()) {
    for (const dependency of Object.keys(service.dependsOn)) {
      if (!services.has(dependency)) {
        throw new ComposeFileError(`services.${service.name}.depends_on: no service named ${dependency}`);
      }
    }
    for (const volume of service.namedVolumes) {
      if (!volumes.has(volume.name))
        throw new ComposeFileError(
          `services.${service.name}.volumes: ${volume.name} is not declared under volumes`,
        );
    }
  }
  return { file, dir, services, volumes };
}

/** Reads and parses a compose file. */
export async function loadCompose(file: string, vars: Variables = {}): Promise<ComposeProject> {
  return parseCompose(await readFile(file, 'utf8'), file, vars);
}

/** The services `docker compose [--profile p ...] up` starts: those without profiles, and those in an active one. */
export function servicesFor(project: ComposeProject, profiles: readonly string[] = []): ServiceSpec[] {
  return [...project.services.values()].filter(
    (service) => service.profiles.length === 0 || service.profiles.some((p) => profiles.includes(p)),
  );
}
