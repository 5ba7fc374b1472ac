import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findSeedPython, seedPythonCandidates } from './seed-stack.ts';

it('looks at BENCH_PYTHON first, then Debian python3, then the PATH', () => {
  assert.deepEqual(seedPythonCandidates({ BENCH_PYTHON: '/opt/py/bin/python3' }), [
    '/opt/py/bin/python3',
    '/usr/bin/python3',
    'python3',
  ]);
  assert.deepEqual(seedPythonCandidates({ BENCH_PYTHON: '' }), ['/usr/bin/python3', 'python3']);
});

it('finds no Python to run the seed stack with when no candidate runs the FastAPI probe', () => {
  // A missing program, and one that runs but is no Python (node rejects the probe): the rows are skipped.
  assert.equal(findSeedPython(['/nonexistent/python3', process.execPath]), undefined);
});
