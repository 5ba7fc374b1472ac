/**
 * What the images this project builds FROM bring with them, as far as running a container needs: the base image's
 * environment, user names, entrypoint, and the executables a command or health check may name. Source: the
 * official node image's Dockerfile and docker-entrypoint.sh (nodejs/docker-node, 24/trixie-slim), whose slim
 * variant purges curl and wget after installing Node.
 */

/** A base image's facts. */
export interface BaseImage {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** `/etc/passwd` entries a `USER name` can refer to. */
  readonly users: Readonly<Record<string, { uid: number; gid: number; home: string }>>;
  /** Commands on its PATH that a CMD or HEALTHCHECK may start with. */
  readonly executables: ReadonlySet<string>;
  /** Commands people reach for that it does not have, and what to use instead. */
  readonly lacks: Readonly<Record<string, string>>;
}

const nodeSlim = (major: number): BaseImage => ({
  name: `node:${major}-slim`,
  env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', NODE_VERSION: `${major}` },
  workdir: '/',
  user: 'root',
  entrypoint: ['docker-entrypoint.sh'],
  cmd: ['node'],
  users: { root: { uid: 0, gid: 0, home: '/root' }, node: { uid: 1000, gid: 1000, home: '/home/node' } },
  executables: new Set([
    'node',
    'npm',
    'npx',
    'corepack',
    'docker-entrypoint.sh',
    'sh',
    'bash',
    'true',
    'false',
  ]),
  lacks: {
    curl: 'slim images have no curl: probe with node -e "fetch(...)"',
    wget: 'slim images have no wget: probe with node -e "fetch(...)"',
  },
});

/** The base images this project's Dockerfile may start from. */
export const BASE_IMAGES: ReadonlyMap<string, BaseImage> = new Map([['node:24-slim', nodeSlim(24)]]);

/**
 * What the node image's docker-entrypoint.sh execs: the arguments as given when the first one is a command it
 * has, else `node` followed by them (so `docker run image --version` means `node --version`).
 */
export function nodeEntrypoint(args: readonly string[], image: BaseImage): string[] {
  const [first] = args;
  if (first === undefined) return [];
  const isCommand = !first.startsWith('-') && (first.includes('/') || image.executables.has(first));
  return isCommand ? [...args] : ['node', ...args];
}
