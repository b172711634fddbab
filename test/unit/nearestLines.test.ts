import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearestLines } from '../../src/core/propose/nearestLines';

const FILE = Array.from({ length: 40 }, (_, i) => `line ${i}: filler text number ${i}`);
FILE.splice(20, 3, 'def route(ticket):', '    if "refund" in ticket.text:', '        return "billing"');
const TEXT = `${FILE.join('\n')}\n`;

test('the nearest window is found whatever differs: indentation, a word, quotes', () => {
  assert.deepEqual(nearestLines(TEXT, 'def route(ticket):\n  if "refund" in ticket.text:\n    return "billing"\n'), {
    first: 21,
    last: 23,
    text: 'def route(ticket):\n    if "refund" in ticket.text:\n        return "billing"',
  });
  assert.equal(nearestLines(TEXT, "    if 'refund' in ticket.body:")?.first, 22);
});

test('a search like nothing in the file has no nearest text', () => {
  assert.equal(nearestLines(TEXT, 'SELECT * FROM users WHERE id = ?'), undefined);
  assert.equal(nearestLines('', 'anything'), undefined);
});

test('a search longer than the file scores against all of it, and the excerpt is cut to 30 lines', () => {
  assert.equal(nearestLines('a = 1\n', 'a = 1\nb = 2\nc = 3\nd = 4'), undefined, 'one line in four is not near');
  const long = Array.from({ length: 50 }, (_, i) => `value_${i} = compute(${i})`).join('\n');
  const near = nearestLines(long, long.replace('compute(7)', 'compute(70)'));
  assert.deepEqual([near?.first, near?.last], [1, 30]);
});
