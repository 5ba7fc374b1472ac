/**
 * The server name (SNI) of a TLS ClientHello, read from the first bytes a client sends. OpenSSL fixes the
 * protocol versions, cipher suites and curves of a connection before its SNI callback runs, so the TLS options
 * of a server name must be known before the handshake starts: the entrypoint reads the first record, picks
 * the options, then hands the bytes to Node's TLS layer.
 */

/** The longest first record read (a TLS record holds at most 2^14 bytes, plus its 5-byte header). */
export const maxHelloBytes = 5 + 16_384;

/**
 * Reads the ClientHello in `data`: `undefined` when more bytes are needed, `null` when it is not a
 * ClientHello or names no server, else the server name (lower case).
 */
export function clientHelloServerName(data: Buffer): string | null | undefined {
  if (data.length < 5) return undefined;
  if (data[0] !== 22 /* handshake */) return null;
  const recordEnd = 5 + data.readUInt16BE(3);
  if (data.length < recordEnd) return undefined;
  const record = data.subarray(5, recordEnd);
  // Handshake type 1 (ClientHello), 3-byte length; then version (2), random (32).
  if (record[0] !== 1 || record.length < 4 + 34) return null;
  let at = 4 + 34;
  const skip = (lengthBytes: 1 | 2): boolean => {
    if (at + lengthBytes > record.length) return false;
    const length = lengthBytes === 1 ? (record[at] as number) : record.readUInt16BE(at);
    at += lengthBytes + length;
    return at <= record.length;
  };
  // Session id, cipher suites, compression methods.
  if (!skip(1) || !skip(2) || !skip(1)) return null;
  if (at + 2 > record.length) return null;
  const extensionsEnd = Math.min(record.length, at + 2 + record.readUInt16BE(at));
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = record.readUInt16BE(at);
    const length = record.readUInt16BE(at + 2);
    at += 4;
    if (type === 0 /* server_name */) {
      // List length (2), then entries: type (1), length (2), name.
      let entry = at + 2;
      const end = Math.min(at + length, extensionsEnd);
      while (entry + 3 <= end) {
        const nameType = record[entry];
        const nameLength = record.readUInt16BE(entry + 1);
        if (nameType === 0 && entry + 3 + nameLength <= end)
          return record.toString('latin1', entry + 3, entry + 3 + nameLength).toLowerCase();
        entry += 3 + nameLength;
      }
      return null;
    }
    at += length;
  }
  return null;
}
