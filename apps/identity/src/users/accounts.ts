import { randomUUID } from 'node:crypto';
import type { Account, FindAccount } from 'oidc-provider';
import type { Directory, User } from '../directory/load.ts';
import { hashPassword, verifyPassword } from './password.ts';

// Checked against when the user name is unknown, so a wrong name costs as long as a wrong password
// and the login page's timing does not tell which user names exist.
let decoyHash: Promise<string> | undefined;

/**
 * The user with this name and password, or `undefined`. Unknown names and wrong passwords take the same time and
 * give the same answer (no account enumeration).
 */
export async function authenticate(
  directory: Directory,
  username: string,
  password: string,
): Promise<User | undefined> {
  const user = directory.users.get(username);
  if (!user) {
    decoyHash ??= hashPassword(randomUUID());
    await verifyPassword(password, await decoyHash);
    return undefined;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
}

/** The claims a user has; oidc-provider keeps those the granted scopes (or `claims` request) cover. */
export function userClaims(user: User): { sub: string } & Record<string, unknown> {
  return {
    sub: user.id,
    name: user.name,
    preferred_username: user.id,
    email: user.email,
    // The directory is maintained by the operator, who vouches for the address.
    email_verified: true,
    roles: [...user.roles],
  };
}

/** oidc-provider's `findAccount`: users of the directory by id (`sub`). */
export function accountFinder(directory: Directory): FindAccount {
  return async (_ctx, sub): Promise<Account | undefined> => {
    const user = directory.users.get(sub);
    if (!user) return undefined;
    return { accountId: user.id, claims: () => userClaims(user) };
  };
}
