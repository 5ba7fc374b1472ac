/**
 * `npm run rotate-keys -w apps/identity -- <step>`: rotates the signing key in the keys directory (`KEYS_DIR`).
 * A running provider watches that directory and applies each step at once (its sessions survive).
 */
import { loadConfig } from '../config.ts';
import { loadOrCreateKeys, promoteKey, retireKeys, type SigningKey, stageKey } from './keystore.ts';

const USAGE = `usage: npm run rotate-keys -w apps/identity -- <status|stage|promote|retire>

  status   list the keys: the first signs, all are published
  stage    step 1: add a new key, published in the JWKS but not signing yet
  promote  step 2: the staged key signs; the old one stays published
  retire   step 3: unpublish every key but the signing one, once tokens the old keys signed have expired

A running identity provider applies each step at once (it watches the keys directory). Between stage and
promote, wait for verifiers to refresh their cached JWKS (jose's createRemoteJWKSet: 10 minutes at most).`;

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
        `staged ${staged.kid}\n${listKeys(keys)}\npublished now (a running identity applies it at once); promote once verifiers have refetched the JWKS\n`,
      );
      return 0;
    }
    case 'promote': {
      const { promoted, keys } = await promoteKey(keysDir);
      process.stdout.write(
        `promoted ${promoted.kid}\n${listKeys(keys)}\nsigning now; retire the old key once the tokens it signed have expired\n`,
      );
      return 0;
    }
    case 'retire': {
      const { retired, keys } = await retireKeys(keysDir);
      const list = retired.map((key) => key.kid).join(', ') || 'nothing';
      process.stdout.write(`retired ${list}\n${listKeys(keys)}\nunpublished now\n`);
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
