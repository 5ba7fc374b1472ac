/**
 * Checks the stack's ports before anything starts. Without it, a second `npm start` beside a running stack
 * would see the old stack answer its readiness checks, print "The stack is up." and then die on EADDRINUSE.
 */
import { createServer } from 'node:net';
import type { PortSetting } from './config.ts';

/** Resolves with the error code if `port` cannot be listened on at 127.0.0.1, or null when it is free. */
function tryListen(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    // Loopback conflicts with both a loopback and a wildcard (0.0.0.0 / ::) listener on Linux and macOS.
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** The settings whose port is taken (or otherwise unusable), with why. */
export async function portsInUse(settings: PortSetting[]): Promise<Array<PortSetting & { reason: string }>> {
  const results = await Promise.all(settings.map(async (s) => ({ ...s, reason: await tryListen(s.port) })));
  return results.flatMap((r) => (r.reason === null ? [] : [{ ...r, reason: r.reason }]));
}

/** One line telling the reader which ports are taken and what to do. */
export function describePortsInUse(busy: Array<PortSetting & { reason: string }>): string {
  const list = busy.map(
    (b) => `${b.port} (${b.variable}${b.reason === 'EADDRINUSE' ? '' : `: ${b.reason}`})`,
  );
  const [first] = busy;
  const example = first ? ` e.g. ${first.variable}=${first.port + 1000} npm start` : '';
  const subject = busy.length === 1 ? `Port ${list[0]} is` : `Ports ${list.join(', ')} are`;
  return `${subject} already in use: is a stack already running? Stop it (Ctrl-C in its terminal), or choose other ports,${example}.`;
}
