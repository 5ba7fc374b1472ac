/**
 * Traefik's entrypoint `http.encodedCharacters` (v3.7): a request whose path carries an encoded `/`, `\`, NUL,
 * `;`, `%`, `?` or `#` is refused with 400 unless the entrypoint allows that character. A backend that decodes
 * the path again would see a different path than the one the rules matched (`/public/..%2Fadmin`).
 */

/** The `allowEncoded*` switches; each defaults to false. */
export interface EncodedCharactersConfig {
  readonly allowEncodedSlash?: boolean | undefined;
  readonly allowEncodedBackSlash?: boolean | undefined;
  readonly allowEncodedNullCharacter?: boolean | undefined;
  readonly allowEncodedSemicolon?: boolean | undefined;
  readonly allowEncodedPercent?: boolean | undefined;
  readonly allowEncodedQuestionMark?: boolean | undefined;
  readonly allowEncodedHash?: boolean | undefined;
}

const ENCODINGS: ReadonlyArray<[keyof EncodedCharactersConfig, string]> = [
  ['allowEncodedSlash', '2f'],
  ['allowEncodedBackSlash', '5c'],
  ['allowEncodedNullCharacter', '00'],
  ['allowEncodedSemicolon', '3b'],
  ['allowEncodedPercent', '25'],
  ['allowEncodedQuestionMark', '3f'],
  ['allowEncodedHash', '23'],
];

/**
 * A test for the escaped request path that is true when the path carries an encoding `config` does not
 * allow, or `undefined` when every one is allowed (nothing to check).
 */
export function deniedEncodings(
  config: EncodedCharactersConfig = {},
): ((path: string) => boolean) | undefined {
  const denied = ENCODINGS.filter(([option]) => config[option] !== true).map(([, hex]) => hex);
  if (denied.length === 0) return undefined;
  const pattern = new RegExp(`%(?:${denied.join('|')})`, 'i');
  return (path) => path.includes('%') && pattern.test(path);
}
