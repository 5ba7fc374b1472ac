import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Why the rehearsal cannot run here, or undefined when it can: it needs root (network namespaces, a bridge,
 * files under /etc/netns) and the `ip` (iproute2) and `setpriv` (util-linux) commands.
 */
export async function rehearsalUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces); CI runs as root';
  for (const [command, args, pkg] of [
    ['ip', ['-V'], 'iproute2'],
    ['setpriv', ['--version'], 'util-linux'],
  ] as const) {
    const found = await run(command, [...args], { timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (!found) return `needs ${command} (apt-get install ${pkg}); .ci/run installs it`;
  }
  return undefined;
}
