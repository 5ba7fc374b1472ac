/** Go's DetectContentType on the kinds of input its own sniff tests use (facts, written out here). */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectContentType } from './content-sniff.ts';

const html = 'text/html; charset=utf-8';
const text = 'text/plain; charset=utf-8';

const cases: [string, string | Buffer, string][] = [
  ['empty', '', text],
  ['binary', Buffer.from([1, 2, 3]), 'application/octet-stream'],
  ['HTML in mixed case', '<HtMl><bOdY>blah blah blah</body></html>', html],
  ['HTML closed at once', '<HTML></HTML>', html],
  ['HTML after white space', '   <!DOCTYPE HTML>...', html],
  ['HTML after CRLF', '\r\n<html>...', html],
  ['HTML comment', '<!-- a comment -->', html],
  ['a tag not followed by space or >', '<htmlx>', text],
  ['plain text with non-ASCII', Buffer.from('This is not HTML. It has \u2603 though.'), text],
  ['XML', '\n<?xml!', 'text/xml; charset=utf-8'],
  ['PDF', '%PDF-1.7\n', 'application/pdf'],
  ['PostScript', '%!PS-Adobe-3.0', 'application/postscript'],
  ['UTF-16BE BOM', Buffer.from([0xfe, 0xff, 0, 0x41]), 'text/plain; charset=utf-16be'],
  ['UTF-16LE BOM', Buffer.from([0xff, 0xfe, 0x41, 0]), 'text/plain; charset=utf-16le'],
  ['UTF-8 BOM', Buffer.from([0xef, 0xbb, 0xbf, 0x41]), text],
  ['Windows icon', Buffer.from([0, 0, 1, 0]), 'image/x-icon'],
  ['Windows cursor', Buffer.from([0, 0, 2, 0]), 'image/x-icon'],
  ['BMP', 'BM...', 'image/bmp'],
  ['GIF 87a', 'GIF87a', 'image/gif'],
  ['GIF 89a', 'GIF89a...', 'image/gif'],
  ['PNG', Buffer.from('89504e470d0a1a0a0000', 'hex'), 'image/png'],
  ['JPEG', Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg'],
  ['WebP', Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'), 'image/webp'],
  ['MP3 with an ID3 tag', 'ID3\x03', 'audio/mpeg'],
  ['WAVE', Buffer.from('RIFFb\xb8\x00\x00WAVEfmt ', 'latin1'), 'audio/wave'],
  ['AVI', Buffer.from('RIFF,O\n\x00AVI LIST', 'latin1'), 'video/avi'],
  [
    'MP4',
    Buffer.from('\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom<\x06t\xbfmdat', 'latin1'),
    'video/mp4',
  ],
  [
    'an ftyp box without an mp4 brand',
    Buffer.from('\x00\x00\x00\x10ftypqt  \x00\x00\x00\x00', 'latin1'),
    'application/octet-stream',
  ],
  ['WebM', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f]), 'video/webm'],
  ['TTF', Buffer.from([0, 1, 0, 0]), 'font/ttf'],
  ['OTF', 'OTTO', 'font/otf'],
  ['WOFF2', 'wOF2', 'font/woff2'],
  ['gzip', Buffer.from([0x1f, 0x8b, 0x08]), 'application/x-gzip'],
  ['zip', 'PK\x03\x04', 'application/zip'],
  ['RAR 5', Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), 'application/x-rar-compressed'],
  ['wasm', Buffer.from('\x00asm\x01\x00', 'latin1'), 'application/wasm'],
  ['JSON is text', '{"a": 1}', text],
  ['a binary byte past 512 is not seen', Buffer.concat([Buffer.alloc(512, 0x61), Buffer.from([0])]), text],
];

describe('detectContentType (Go net/http sniffing)', () => {
  for (const [name, input, type] of cases) {
    it(name, () => {
      assert.equal(detectContentType(typeof input === 'string' ? Buffer.from(input, 'latin1') : input), type);
    });
  }
});
