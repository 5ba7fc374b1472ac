/**
 * `npm run rotate-keys -w apps/identity -- <step>`: rotates the signing key in the keys directory (`KEYS_DIR`).
 * The running provider reads the keys at start, so restart it after each step.
 */
import { loadConfig } from '../config.ts';
import { loadOrCreateKeys, promoteKey, retireKeys, type SigningKey, stageKey } from './keystore.ts';

const USAGE = `usage: npm run rotate-keys -w apps/identity -- <status|stage|promote|retire>

  status   list the keys: the first signs, all are published
  stage    step 1: add a new key, published in the JWKS but not signing yet
  promote  step 2: the staged key signs; the old one stays published
  retire   step 3: unpublish every key but the signing one, once tokens the old keys signed have expired

Restart the identity provider after each step. Wait between stage and promote for verifiers to refresh
their JWKS cache (jose: 10 minutes at most by default).`;

function listKeys(keys: readonly SigningKey[]): string {
  return keys.map((key, i) => `  ${key.kid}  ${i === 0 ? 'signing, published' : 'published'}`).join('\n');
}

async function run(step: string | undefined): Promise<number> {
  const { keysDir } = loadConfig();
  switch (step) {
    case 'status': {
      const { file, keys, created } = await loadOrCreateKeys(keysDir);
      process.stdout.write(`${file}${created ? ' (created now)' : ''}\n${listKeys(keys)}\n`);
      return 0;
    }
    case 'stage': {
      const { staged, keys } = await stageKey(keysDir);
      process.stdout.write(
        `staged ${staged.kid}\n${listKeys(keys)}\nrestart identity to publish it, then promote\n`,
      );
      return 0;
    }
    case 'promote': {
      const { promoted, keys } = await promoteKey(keysDir);
      process.stdout.write(`promoted ${promoted.kid}\n${listKeys(keys)}\nrestart identity to sign with it\n`);
      return 0;
    }
    case 'retire': {
      const { retired, keys } = await retireKeys(keysDir);
      const list = retired.map((key) => key.kid).join(', ') || 'nothing';
      process.stdout.write(`retired ${list}\n${listKeys(keys)}\nrestart identity to unpublish\n`);
      return 0;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

try {
  process.exitCode = await run(process.argv[2]);
} catch (err) {
  process.stderr.write(`rotate-keys: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
