import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesMatch, normaliseLines } from './match.ts';

describe('linesMatch', () => {
  it('matches line by line, ignoring trailing white space and carriage returns', () => {
    const actual = normaliseLines('HTTP/1.1 200 OK\r\n\r\n{\n    "a": 1\n}\n\n');
    assert.ok(linesMatch(['HTTP/1.1 200 OK', '', '{', '    "a": 1', '}'], actual));
    assert.ok(!linesMatch(['HTTP/1.1 200 OK', '', '{', '    "a": 2', '}'], actual));
    assert.ok(!linesMatch(['HTTP/1.1 200 OK'], actual), 'extra lines are a mismatch');
  });

  it('lets an ... line stand for zero or more lines', () => {
    const actual = ['HTTP/1.1 403 Forbidden', 'date: x', 'server: y', '', '{}'];
    assert.ok(linesMatch(['HTTP/1.1 403 Forbidden', '...', '{}'], actual));
    assert.ok(linesMatch(['HTTP/1.1 403 Forbidden', '...', '', '{}'], actual));
    assert.ok(linesMatch(['...'], actual));
    assert.ok(linesMatch(['HTTP/1.1 403 Forbidden', '   ...', 'date: x', '...', '{}'], actual));
    assert.ok(!linesMatch(['HTTP/1.1 200 OK', '...'], actual));
    assert.ok(!linesMatch(['...', '[]'], actual));
  });

  it('with numbers that vary, compares the shape of each line', () => {
    const shown = ['  Total:         793ms', '  5.25ms [1816] |∎∎∎∎', '  ok    p99<250ms  (actual 21.2ms)'];
    const printed = ['  Total:         1.02s', '  6.39ms [  12] |∎', '  ok    p99<250ms  (actual 9ms)'];
    assert.ok(linesMatch(shown, printed, 'numbers-vary'));
    assert.ok(!linesMatch(shown, printed));
    assert.ok(!linesMatch(['  FAIL  p99<250ms'], ['  ok    p99<250ms'], 'numbers-vary'));
  });

  it('lets ... inside a line stand for any text on that line', () => {
    const actual = ['    "access_token": "eyJhbGciOiJSUzI1NiJ9.e30.sig",', '    "expires_in": 600,'];
    assert.ok(linesMatch(['    "access_token": "eyJ...",', '    "expires_in": 600,'], actual));
    assert.ok(linesMatch(['...', '    "expires_in": 600,'], actual));
    assert.ok(!linesMatch(['    "access_token": "xyz...",', '    "expires_in": 600,'], actual));
    assert.ok(
      !linesMatch(['    "access_token": "eyJ...", (x)', '...'], actual),
      'regex characters are literal',
    );
  });
});
