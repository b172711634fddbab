import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits, editAt } from '../../src/core/propose/edits';

const files: Record<string, string> = { 'a.txt': 'one\ntwo\nthree\ntwo\n' };
const read = async (file: string): Promise<string | undefined> => files[file];

test('edits apply in order, and an empty search creates a missing file', async () => {
  const result = await applyEdits(
    [
      { path: 'a.txt', search: 'one', replace: 'ONE' },
      { path: 'a.txt', search: 'three', replace: 'THREE' },
      { path: 'new.txt', search: '', replace: 'hello\n' },
    ],
    read,
  );
  assert.deepEqual(result, {
    ok: true,
    changes: [
      { path: 'a.txt', content: 'ONE\ntwo\nTHREE\ntwo\n' },
      { path: 'new.txt', content: 'hello\n' },
    ],
  });
});

test('a search that matches twice, not at all, or is empty on an existing file is refused with the reason', async () => {
  assert.deepEqual(await applyEdits([{ path: 'a.txt', search: 'two', replace: '2' }], read), {
    ok: false,
    reason: 'edit 1 (a.txt): search text must match exactly once, but it matches 2 times',
  });
  assert.deepEqual(await applyEdits([{ path: 'a.txt', search: '', replace: 'x' }], read), {
    ok: false,
    reason: 'edit 1 (a.txt): search is empty but the file already exists',
  });
  assert.deepEqual(await applyEdits([{ path: 'b.txt', search: 'x', replace: 'y' }], read), {
    ok: false,
    reason: 'edit 1 (b.txt): the file does not exist; use an empty search to create it',
  });
  assert.deepEqual(await applyEdits([{ path: 'a.txt', search: 'one', replace: 'one' }], read), { ok: false, reason: 'the edits change nothing' });
});

test('editAt widens its search text until it is unique, and the edit applies', async () => {
  const text = files['a.txt']!;
  const at = text.lastIndexOf('two');
  const edit = editAt('a.txt', text, at, 3, '2');
  assert.equal(edit.search, 'three\ntwo\n');
  const result = await applyEdits([edit], read);
  assert.deepEqual(result, { ok: true, changes: [{ path: 'a.txt', content: 'one\ntwo\nthree\n2\n' }] });
});
