import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LEAK_RUN, SecretsIndex } from '../../src/core/grade/leakCheck';

const GRADER = `def grade(case):\n    # the secret rubric\n    return case["output"] == ANSWERS[case["id"]]\n`;
const HOLDOUT = '{"id": "h-1", "text": "my parcel zq-7731 never arrived at the depot"}\n';

function index(): SecretsIndex {
  return new SecretsIndex([
    { name: 'eval/grade.py', text: GRADER },
    { name: 'eval/holdout.jsonl', text: HOLDOUT },
  ]);
}

const run = HOLDOUT.slice(HOLDOUT.indexOf('parcel'), HOLDOUT.indexOf('parcel') + LEAK_RUN);

test('a run of 16 characters of a secret is found as it is, in any whitespace, and named by its file', () => {
  const secrets = index();
  assert.equal(run.length, 16);
  assert.deepEqual(secrets.leaks(`the agent said=${run}!`), ['eval/holdout.jsonl']);
  assert.deepEqual(secrets.leaks('x return   case["output"]\n\t==  ANSWERS y'), ['eval/grade.py']);
  assert.deepEqual(secrets.leaks(`${GRADER}\n${HOLDOUT}`), ['eval/grade.py', 'eval/holdout.jsonl']);
  assert.deepEqual(secrets.leaks(`the agent said=${run.slice(0, LEAK_RUN - 1)}<`), [], '15 characters are not a leak');
  assert.deepEqual(secrets.leaks('nothing of either file here, at any length whatever'), []);
});

test('a run is found in base64 at each alignment, wrapped or URL-safe, and in hex of either case', () => {
  const secrets = index();
  for (const before of ['', 'a', 'ab', 'abc']) {
    const encoded = Buffer.from(`${before}${run}`).toString('base64');
    assert.deepEqual(secrets.leaks(`data ${encoded} end`), ['eval/holdout.jsonl'], `base64 after ${before.length} byte(s)`);
    assert.deepEqual(secrets.leaks(`prefix${encoded}`), ['eval/holdout.jsonl'], `base64 glued to text after ${before.length} byte(s)`);
  }
  const long = Buffer.from(HOLDOUT).toString('base64');
  assert.deepEqual(secrets.leaks(long.replace(/(.{10})/g, '$1\n')), ['eval/holdout.jsonl'], 'wrapped base64');
  assert.deepEqual(secrets.leaks(Buffer.from(`>>${HOLDOUT}`).toString('base64url')), ['eval/holdout.jsonl'], 'URL-safe base64');
  const hex = Buffer.from(`z${run}`).toString('hex');
  assert.deepEqual(secrets.leaks(`0x${hex}`), ['eval/holdout.jsonl']);
  assert.deepEqual(secrets.leaks(hex.toUpperCase()), ['eval/holdout.jsonl']);
  assert.deepEqual(secrets.leaks(hex.replace(/(..)/g, '$1 ')), ['eval/holdout.jsonl'], 'hex spaced by byte');
  assert.deepEqual(secrets.leaks(Buffer.from(run.slice(0, LEAK_RUN - 1)).toString('hex')), [], '15 characters in hex are not a leak');
});

test('content a proposer may see anyway, and runs of punctuation, are no leak', () => {
  const shared = '# Copyright 2026 The Example Authors, all rights reserved\n';
  const secrets = new SecretsIndex([
    { name: 'eval/grade.py', text: `${shared}${GRADER}print("scoring the cases now")\n# ----------------------------------\n` },
  ]);
  secrets.trust(`${shared}agent code`);
  assert.deepEqual(secrets.leaks(shared), [], 'a line the secret shares with a visible file');
  assert.deepEqual(secrets.leaks('----------------------------------'), [], 'punctuation only');
  assert.deepEqual(secrets.leaks('scoring the cases now'), ['eval/grade.py']);
  secrets.trust('log: scoring the cases now');
  assert.deepEqual(secrets.leaks('scoring the cases now'), [], 'what the trusted version shows');
  assert.deepEqual(secrets.leaks('# the secret rubric'), ['eval/grade.py'], 'the rest of the file still counts');
});

test('an index of a few MB is built and searched quickly', () => {
  const big = Array.from({ length: 60_000 }, (_, i) => `{"id": "h-${i}", "text": "ticket ${(i * 7919) % 100_003} about order ${i * 31}"}`).join('\n');
  const started = Date.now();
  const secrets = new SecretsIndex([{ name: 'eval/holdout.jsonl', text: big }]);
  const evidence = Array.from({ length: 2_000 }, (_, i) => `case ${i}: the agent routed it to billing`).join('\n');
  assert.deepEqual(secrets.leaks(evidence), []);
  assert.deepEqual(secrets.leaks(`${evidence}\nticket ${(59_999 * 7919) % 100_003} about order ${59_999 * 31}`), ['eval/holdout.jsonl']);
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms for ${big.length} characters`);
});
