/**
 * The seed walkthrough's stack, measured in the same run as ours: nginx with `auth_request` in front of a FastAPI
 * forward-auth app and a FastAPI backend (peers/seed_stack.py), each served by uvicorn, one process each.
 * FastAPI and uvicorn come from Debian (`apt-get install -y --no-install-recommends python3-fastapi
 * python3-uvicorn`), so the Python that has them is usually /usr/bin/python3, not the first python3 on the PATH.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { waitForHttp } from '@gateway-pattern/stack';
import { seedNginxConfig, startNginx } from './nginx.ts';

/** A Python that can run the seed's apps, and what it runs them with. */
export interface SeedPython {
  readonly python: string;
  /** e.g. `FastAPI 0.92.0, uvicorn 0.17.6 (h11, asyncio)`. */
  readonly versions: string;
}

// uvicorn's `auto` picks httptools and uvloop when they are importable; the label says which it got.
const probe = `
import importlib.util as u, fastapi, uvicorn
http = "httptools" if u.find_spec("httptools") else "h11"
loop = "uvloop" if u.find_spec("uvloop") else "asyncio"
print(f"FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__} ({http}, {loop})")
`;

/** Where the bench looks for a Python with FastAPI: `BENCH_PYTHON`, then Debian's, then the PATH's. */
export function seedPythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => c !== undefined && c !== '',
  );
}

/**
 * The first of `candidates` that imports fastapi and uvicorn, or undefined when none does (the bench then skips
 * the seed's rows).
 */
export function findSeedPython(
  candidates: readonly string[] = seedPythonCandidates(),
): SeedPython | undefined {
  for (const python of candidates) {
    const result = spawnSync(python, ['-c', probe], { encoding: 'utf8' });
    if (result.status === 0) return { python, versions: result.stdout.trim() };
  }
  return undefined;
}

/** Ports for the seed's three processes. */
export interface SeedPorts {
  readonly nginx: number;
  readonly auth: number;
  readonly backend: number;
}

/** Starts uvicorn on `app` (`seed_stack:auth` or `seed_stack:backend`), no access log (nginx has none either). */
function uvicorn(python: string, app: string, port: number): ChildProcess {
  return spawn(
    python,
    [
      '-m',
      'uvicorn',
      '--app-dir',
      join(import.meta.dirname, 'peers'),
      app,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--no-access-log',
      '--log-level',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/**
 * Starts the two apps and nginx in front of them (its files in `dir`), each answering before this resolves.
 * Every process started is pushed onto `children` at once, so the caller stops them even when a later one fails.
 */
export async function startSeedStack(
  seed: SeedPython,
  dir: string,
  ports: SeedPorts,
  children: ChildProcess[],
): Promise<void> {
  const auth = `http://127.0.0.1:${ports.auth}`;
  const backend = `http://127.0.0.1:${ports.backend}`;
  children.push(uvicorn(seed.python, 'seed_stack:auth', ports.auth));
  children.push(uvicorn(seed.python, 'seed_stack:backend', ports.backend));
  // 401 and 404 count as up: the check needs a token, the backend has no `/`.
  await waitForHttp(`${auth}/auth`, 20_000);
  await waitForHttp(`${backend}/`, 20_000);
  children.push(
    await startNginx(dir, seedNginxConfig({ dir, port: ports.nginx, auth: `${auth}/auth`, backend })),
  );
  await waitForHttp(`http://127.0.0.1:${ports.nginx}/pybackend/`, 10_000);
}
