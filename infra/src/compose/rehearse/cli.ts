/**
 * `npm run compose:rehearse`: runs compose.yaml's default profile as processes in network namespaces and sends
 * the README's walkthrough through it (see rehearse.ts). Needs root and iproute2; anywhere else it says so in
 * one line and exits 0. Ctrl-C (or SIGTERM) stops the run and still tears everything down.
 *
 *   npm run compose:rehearse [-- --verbose]     --verbose also streams every service's output
 */

import { rehearse } from './rehearse.ts';
import { rehearsalUnavailable } from './requirements.ts';

const unavailable = await rehearsalUnavailable();
if (unavailable !== undefined) {
  process.stdout.write(`compose rehearsal skipped: ${unavailable}\n`);
  process.exit(0);
}

const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stop.signal.aborted) return;
  process.stderr.write(`${signal}: stopping the rehearsal and tearing down\n`);
  stop.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const verbose = process.argv.includes('--verbose');
const result = await rehearse({
  signal: stop.signal,
  onServiceLine: verbose ? (service, line) => process.stdout.write(`    ${service} | ${line}\n`) : undefined,
});
process.exitCode = result.ok ? 0 : 1;
