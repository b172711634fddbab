import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runLoop } from '../../src/core/loop/loop';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { cli } from '../helpers';

/** An eval that reports 200,000 metrics (the objective's among the last) and 300,000 cases, each with evidence. */
const FLOOD = `
const fs = require('fs');
const metrics = {};
for (let i = 0; i < 200000; i++) metrics['m' + i] = i;
metrics.score = JSON.parse(fs.readFileSync('agent/params.json', 'utf8')).x / 10;
const cases = Array.from({ length: 300000 }, (_, i) => ({ id: 'c' + i, passed: i % 2 === 0, input: 'question ' + i, output: 'answer ' + i }));
fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics, cases }));
`;

test('an eval that reports 200,000 metrics and 300,000 cases is kept bounded, says what was cut, and aiai show still works', async () => {
  const dir = agentWorkspace({
    files: { 'eval/flood.js': FLOOD },
    config: { evals: [{ name: 'train', command: 'node eval/flood.js', timeoutSec: 120 }], objective: { eval: 'train', metric: 'score', direction: 'maximize' } },
  });
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 6', { x: 6 })]), signal: new AbortController().signal });
  const [candidate] = summary.candidates;
  assert.equal(candidate?.status, 'pending', candidate?.reason);
  assert.equal(candidate.objective?.value, 0.6, 'the objective metric is kept, wherever it stood');
  const train = candidate.evaluation?.evals[0];
  assert.equal(Object.keys(train?.metrics ?? {}).length, 1000);
  assert.equal(train?.cases.length, 20_000);
  assert.equal(train?.cut, 'cut to keep the record bounded: kept 1000 of 200001 metrics; kept 20000 of 300000 cases; the evidence of 9530 case(s) past 250,000 characters');
  const record = path.join(new Store(dir).runDir(summary.run.id), 'candidates', `${candidate.id}.json`);
  assert.ok(statSync(record).size < 5 * 1024 * 1024, `the record is ${statSync(record).size} bytes`);
  const shown = cli(dir, 'show', candidate.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /cut to keep the record bounded: kept 1000 of 200001 metrics/);
});
