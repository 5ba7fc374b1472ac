import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addInt64, INT64_MAX, INT64_MIN, parseInt64 } from './int64.ts';

describe('int64', () => {
  it('parses signed decimal integers exactly, at the edges of the range too', () => {
    assert.equal(parseInt64('10'), 10n);
    assert.equal(parseInt64('-10'), -10n);
    assert.equal(parseInt64('+7'), 7n);
    assert.equal(parseInt64('9223372036854775807'), INT64_MAX);
    assert.equal(parseInt64('-9223372036854775808'), INT64_MIN);
  });

  it('refuses what is not an int64', () => {
    for (const text of ['', 'a', '1.5', '1e3', ' 1', '0x10', '--1']) {
      assert.throws(() => parseInt64(text), { code: 'INT64_SYNTAX' }, text);
    }
    assert.throws(() => parseInt64('9223372036854775808'), { code: 'INT64_RANGE' });
    assert.throws(() => parseInt64('-9223372036854775809'), { code: 'INT64_RANGE' });
  });

  it('adds without wrapping', () => {
    assert.equal(addInt64(INT64_MAX - 1n, 1n), INT64_MAX);
    assert.throws(() => addInt64(INT64_MAX, 1n), { code: 'INT64_OVERFLOW' });
    assert.throws(() => addInt64(INT64_MIN, -1n), { code: 'INT64_OVERFLOW' });
  });
});
