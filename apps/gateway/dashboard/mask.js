// Middleware settings as the dashboard shows them, secrets masked: basicAuth / digestAuth users keep their
// names but lose their hashes, and any field whose name says it holds a secret (password, secret, token,
// credentials, authorization, cookie, api key, a key such as a signing key) or whose value is a PEM private
// key is replaced by a mask. The API itself still serves the configuration as Traefik does.

export const MASK = '••••••';

const secretName =
  /(secrets?|passwords?|passwd|tokens?|credentials?|authorization|cookie|api[-_]?key|privatekey)$/i;

/**
 * True when a field of this name holds a secret. `keyFile` and `tokenUrl` are paths and addresses, not
 * secrets; `key`, `keys`, `signingKey`, `clientSecret` are.
 * @param {string} name
 */
export function isSecretName(name) {
  return secretName.test(name) || /^keys?$/i.test(name) || /[a-z]Keys?$/.test(name);
}

/**
 * A copy of `value` with secrets masked. `path` holds the field names above it.
 * @param {unknown} value
 * @param {string[]} [path]
 * @returns {unknown}
 */
export function maskSecrets(value, path = []) {
  const name = path.at(-1) ?? '';
  const parent = path.at(-2) ?? '';
  if (typeof value === 'string') {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) return MASK;
    return value;
  }
  if (Array.isArray(value)) {
    // basicAuth / digestAuth `users`: "name:hash" (digest: "name:realm:hash").
    if (name === 'users' && /^(basicauth|digestauth)$/i.test(parent)) {
      return value.map((user) => (typeof user === 'string' ? `${user.split(':')[0]}:${MASK}` : MASK));
    }
    return value.map((item) => maskSecrets(item, path));
  }
  if (value !== null && typeof value === 'object') {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      // Flags and numbers say nothing secret (jwt's forwardAuthorization: true).
      const hidden =
        isSecretName(key) &&
        (typeof item === 'string' ? item !== '' : typeof item === 'object' && item !== null);
      out[key] = hidden ? MASK : maskSecrets(item, [...path, key]);
    }
    return out;
  }
  return value;
}
