/**
 * Test helpers for services: an upstream with a health endpoint whose answer a test can change, and the error a
 * service shows in the admin API. Not a test file itself, so `node --test` skips it.
 */

import { send, startUpstream, type TestGateway, type Upstream } from './harness.ts';

/** What `/health` answers: `status`, a redirect to `location` when set, or nothing at all when `hang`. */
export interface HealthState {
  status: number;
  hang: boolean;
  location: string;
}

/** An upstream answering `/health` (and `/health/…`, `/health?…`) as `health` says, any other path with its name. */
export async function upstreamWithHealth(name: string): Promise<{ upstream: Upstream; health: HealthState }> {
  const health: HealthState = { status: 200, hang: false, location: '' };
  const upstream = await startUpstream((req, res) => {
    if (/^\/health(?:[/?]|$)/.test(req.url ?? '')) {
      if (health.hang) return;
      res.writeHead(health.status, health.location ? { location: health.location } : {});
      res.end();
      return;
    }
    res.end(name);
  });
  return { upstream, health };
}

/** The errors of a service as `/api/http/services/{name}` lists them, joined; `no error` when it has none. */
export async function serviceError(gw: TestGateway, name: string): Promise<string> {
  const info = (await send(`${gw.admin}/api/http/services/${name}`)).json<{ error?: string[] }>();
  return String(info.error ?? 'no error');
}
