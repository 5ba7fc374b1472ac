/**
 * `npm run -s hash-password -w apps/identity [-- <password>]`: prints the scrypt hash to paste into
 * `infra/identity/identity.yml` as a user's `passwordHash`. Without an argument the password is read from stdin,
 * which keeps it out of the shell history.
 */
import { text } from 'node:stream/consumers';
import { hashPassword } from './password.ts';

const fromArgs = process.argv[2];
const password = fromArgs ?? (await text(process.stdin)).replace(/\r?\n$/, '');
if (password.length === 0) {
  process.stderr.write('hash-password: empty password (pass it as an argument or on stdin)\n');
  process.exit(2);
}
process.stdout.write(`${await hashPassword(password)}\n`);
