import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { applyHunks, hunksOf } from '../../src/core/propose/hunks';
import { git, makeRepo } from '../helpers';

/** git's own diff of a file from `before` to `after`. */
function diffOf(before: string, after: string): string {
  const dir = makeRepo({ 'f.txt': before });
  writeFileSync(path.join(dir, 'f.txt'), after);
  return git(dir, 'diff', '--no-color', '--', 'f.txt');
}

const numbered = (n: number): string[] => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

test('each hunk of a diff can be kept alone, and all of them give the new file', () => {
  const before = `${numbered(40).join('\n')}\n`;
  const after = before.replace('line 3\n', 'line three\n').replace('line 20\n', '').replace('line 37\n', 'line 37\nline 37b\n');
  const hunks = hunksOf(diffOf(before, after));
  assert.deepEqual(hunks.map((h) => h.number), [1, 2, 3]);
  assert.equal(applyHunks(before, hunks, new Set([1])), before.replace('line 3\n', 'line three\n'));
  assert.equal(applyHunks(before, hunks, new Set([2])), before.replace('line 20\n', ''));
  assert.equal(applyHunks(before, hunks, new Set([1, 3])), before.replace('line 3\n', 'line three\n').replace('line 37\n', 'line 37\nline 37b\n'));
  assert.equal(applyHunks(before, hunks, new Set([1, 2, 3])), after);
  assert.equal(applyHunks(before, hunks, new Set()), before);
});

test('a file without a newline at its end keeps it so, on either side', () => {
  const before = `${numbered(12).join('\n')}`;
  const after = `${numbered(12).join('\n').replace('line 1\n', 'line one\n').replace('line 12', 'line twelve')}\n`;
  const hunks = hunksOf(diffOf(before, after));
  assert.equal(hunks.length, 2);
  assert.equal(applyHunks(before, hunks, new Set([2])), before.replace('line 12', 'line twelve\n'));
  assert.equal(applyHunks(before, hunks, new Set([1])), before.replace('line 1\n', 'line one\n'));
  assert.equal(applyHunks(after, hunksOf(diffOf(after, before)), new Set([1, 2])), before);
});

test('an empty file filled is one hunk from nothing, and hunks of another file do not apply', () => {
  const created = hunksOf(diffOf('', 'a\nb\n'));
  assert.equal(applyHunks('', created, new Set([1])), 'a\nb\n');
  const hunks = hunksOf(diffOf('x\ny\n', 'x\nz\n'));
  assert.equal(applyHunks('something else\n', hunks, new Set([1])), undefined);
});
