/**
 * The media type of a body from its first bytes, as Go's `http.DetectContentType` finds it (the WHATWG MIME
 * Sniffing algorithm, the subset Go implements): at most 512 bytes are read, HTML and XML after leading white
 * space, then fixed signatures, then text if no byte is binary, else application/octet-stream.
 */

const sniffLength = 512;

const isWhiteSpace = (b: number) => b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b === 0x20;

/** Bytes that make a body binary (WHATWG "binary data byte"). */
const isBinary = (b: number) =>
  b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);

const htmlTags = [
  '<!DOCTYPE HTML',
  '<HTML',
  '<HEAD',
  '<SCRIPT',
  '<IFRAME',
  '<H1',
  '<DIV',
  '<FONT',
  '<TABLE',
  '<A',
  '<STYLE',
  '<TITLE',
  '<B',
  '<BODY',
  '<BR',
  '<P',
  '<!--',
].map((tag) => Buffer.from(tag, 'latin1'));

/** An HTML tag, case-insensitively, after white space and followed by a space or `>`. */
function startsWithTag(data: Buffer, start: number, tag: Buffer): boolean {
  if (data.length < start + tag.length + 1) return false;
  for (let i = 0; i < tag.length; i++) {
    let b = data[start + i] as number;
    const t = tag[i] as number;
    if (t >= 0x41 && t <= 0x5a) b &= 0xdf; // upper-case letters of the data to match the tag
    if (b !== t) return false;
  }
  const after = data[start + tag.length];
  return after === 0x20 || after === 0x3e;
}

/** A signature: bytes with `.` as a wildcard position (RIFF sizes and the like), or a test of its own. */
type Signature = readonly [pattern: string | ((data: Buffer) => boolean), type: string];

const signatures: readonly Signature[] = [
  ['%PDF-', 'application/pdf'],
  ['%!PS-Adobe-', 'application/postscript'],
  ['\xfe\xff', 'text/plain; charset=utf-16be'],
  ['\xff\xfe', 'text/plain; charset=utf-16le'],
  ['\xef\xbb\xbf', 'text/plain; charset=utf-8'],
  ['\x00\x00\x01\x00', 'image/x-icon'],
  ['\x00\x00\x02\x00', 'image/x-icon'],
  ['BM', 'image/bmp'],
  ['GIF87a', 'image/gif'],
  ['GIF89a', 'image/gif'],
  ['RIFF....WEBPVP', 'image/webp'],
  ['\x89PNG\x0d\x0a\x1a\x0a', 'image/png'],
  ['\xff\xd8\xff', 'image/jpeg'],
  ['FORM....AIFF', 'audio/aiff'],
  ['ID3', 'audio/mpeg'],
  ['OggS\x00', 'application/ogg'],
  ['MThd\x00\x00\x00\x06', 'audio/midi'],
  ['RIFF....AVI ', 'video/avi'],
  ['RIFF....WAVE', 'audio/wave'],
  [mp4, 'video/mp4'],
  ['\x1a\x45\xdf\xa3', 'video/webm'],
  [embeddedOpenType, 'application/vnd.ms-fontobject'],
  ['\x00\x01\x00\x00', 'font/ttf'],
  ['OTTO', 'font/otf'],
  ['ttcf', 'font/collection'],
  ['wOFF', 'font/woff'],
  ['wOF2', 'font/woff2'],
  ['\x1f\x8b\x08', 'application/x-gzip'],
  ['PK\x03\x04', 'application/zip'],
  ['Rar!\x1a\x07\x00', 'application/x-rar-compressed'],
  ['Rar!\x1a\x07\x01\x00', 'application/x-rar-compressed'],
  ['\x00asm', 'application/wasm'],
];

function matches(data: Buffer, pattern: Signature[0]): boolean {
  if (typeof pattern === 'function') return pattern(data);
  if (data.length < pattern.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern.charCodeAt(i);
    if (p !== 0x2e && data[i] !== p) return false;
  }
  return true;
}

/** An ISO base media file (`ftyp` box) with an `mp4` major or compatible brand. */
function mp4(data: Buffer): boolean {
  if (data.length < 12) return false;
  const boxSize = data.readUInt32BE(0);
  if (boxSize % 4 !== 0 || data.length < boxSize || data.toString('latin1', 4, 8) !== 'ftyp') return false;
  for (let at = 8; at + 3 <= boxSize; at += 4) {
    if (at === 12) continue; // the minor version, not a brand
    if (data.toString('latin1', at, at + 3) === 'mp4') return true;
  }
  return false;
}

/** Embedded OpenType: `LP` at offset 34. */
function embeddedOpenType(data: Buffer): boolean {
  return data.length >= 36 && data[34] === 0x4c && data[35] === 0x50;
}

/** Go's `http.DetectContentType` of `body` (only its first 512 bytes are looked at). */
export function detectContentType(body: Buffer): string {
  const data = body.length > sniffLength ? body.subarray(0, sniffLength) : body;
  let start = 0;
  while (start < data.length && isWhiteSpace(data[start] as number)) start++;
  if (htmlTags.some((tag) => startsWithTag(data, start, tag))) return 'text/html; charset=utf-8';
  if (data.toString('latin1', start, start + 5) === '<?xml') return 'text/xml; charset=utf-8';
  for (const [pattern, type] of signatures) if (matches(data, pattern)) return type;
  for (let i = start; i < data.length; i++)
    if (isBinary(data[i] as number)) return 'application/octet-stream';
  return 'text/plain; charset=utf-8';
}
