/**
 * A gateway for the dashboard's tests: an echo backend behind a forwardAuth stand-in (token `good` passes,
 * `down` makes it fail, anything else is refused), a plain route, a router that cannot be built, Prometheus
 * metrics with per-router labels and buckets fine enough for local latencies. Not a test file itself.
 */

import { request } from 'undici';
import { startGateway, startUpstream, type TestGateway } from '../../testing/harness.ts';

/** The running fixture. */
export interface DashboardFixture {
  readonly gw: TestGateway;
  /** Sends `count` requests to `path` on the web entrypoint with `token`, and waits for the answers. */
  traffic(path: string, count: number, token?: string): Promise<number[]>;
  close(): Promise<void>;
}

/** Starts the fixture. */
export async function startDashboardFixture(): Promise<DashboardFixture> {
  const backend = await startUpstream();
  const auth = await startUpstream((req, res) => {
    const authorization = req.headers.authorization ?? '';
    if (authorization === 'Bearer down') {
      req.socket.destroy();
      return;
    }
    const ok = authorization === 'Bearer good';
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', 'x-auth-user': ok ? 'alice' : '' });
    res.end(ok ? '{}' : '{"detail":"Invalid Token"}');
  });
  const gw = await startGateway({
    static: {
      metrics: {
        prometheus: {
          addRoutersLabels: true,
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        },
      },
    },
    files: {
      'routes.yml': `http:
  routers:
    echo:
      rule: "PathPrefix(\`/echo\`)"
      service: echo
    protected:
      rule: "PathPrefix(\`/protected\`)"
      middlewares: [token-auth, strip]
      service: echo
    broken:
      rule: "PathPrefix(\`/broken\`"
      service: echo
  middlewares:
    token-auth:
      forwardAuth:
        address: ${auth.url}/auth
        authResponseHeaders: [X-Auth-User]
    strip:
      stripPrefix:
        prefixes: [/protected]
    users:
      basicAuth:
        users: ["alice:$2y$05$abcdefghijklmnopqrstuuJ8nkd0PZ8Ij1Yp3Qk5hD5d6hXw1r6xO"]
  services:
    echo:
      loadBalancer:
        servers:
          - url: ${backend.url}
`,
    },
  });
  const traffic = async (path: string, count: number, token?: string) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const response = await request(`${gw.web}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      await response.body.dump();
      statuses.push(response.statusCode);
    }
    return statuses;
  };
  return {
    gw,
    traffic,
    close: async () => {
      await gw.close();
      await Promise.all([backend.close(), auth.close()].map((p) => p.catch(() => {})));
    },
  };
}

/** One server-sent event. */
export interface ServerEvent {
  readonly event: string;
  readonly data: string;
}

/** Reads server-sent events from `url` until `done` says so, then closes the stream. */
export async function readEvents(
  url: string,
  done: (events: ServerEvent[]) => boolean,
): Promise<ServerEvent[]> {
  const controller = new AbortController();
  const response = await request(url, { signal: controller.signal });
  const events: ServerEvent[] = [];
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += String(chunk);
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (event !== undefined && data !== undefined) events.push({ event, data });
        end = buffer.indexOf('\n\n');
      }
      if (done(events)) break;
    }
  } finally {
    controller.abort();
  }
  return events;
}
