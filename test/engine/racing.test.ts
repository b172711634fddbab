import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { startSimulatedModel, type SimulatedModel } from '../../scripts/simulated-model.mjs';
import { runLoop } from '../../src/core/loop/loop';
import { runSummaryText } from '../../src/cli/format';
import { toolCall } from '../fixtures/messagesServer';
import { scriptedModel } from '../fixtures/scriptedModel';
import { paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { modelAgentWorkspace } from '../fixtures/modelAgent';
import { configJson, makeRepo } from '../helpers';

/*
 * A racing eval ("race": true) of 120 cases, through a real run: a model proposer on
 * a loopback Messages API makes a candidate that fails every case, which the race
 * stops after its first batch of twelve (six of its parent's passes among them: the
 * order is stratified), and a better one, which runs every case and awaits review with
 * metrics of them all. An eval that ignores $AIAI_CASES_FILE fails the candidate.
 */

const model = scriptedModel();

/** Case i passes while its rank (a fixed shuffle of 0..119) is below the threshold; with $AIAI_CASES_FILE, only the cases it lists run. */
const scoreJs = (honoursCasesFile: boolean): string => `const fs = require('fs');
const { threshold } = JSON.parse(fs.readFileSync('agent/params.json', 'utf8'));
const all = Array.from({ length: 120 }, (_, i) => 'case-' + String(i).padStart(3, '0'));
const listed = ${honoursCasesFile} && process.env.AIAI_CASES_FILE;
const ids = listed ? fs.readFileSync(listed, 'utf8').split('\\n').filter(Boolean) : all;
const cases = ids.map((id) => ({ id, passed: (Number(id.slice(5)) * 37) % 120 < threshold }));
console.log('ran ' + cases.length + ' cases');
fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { pass_rate: cases.filter((c) => c.passed).length / cases.length }, cases }));
`;

function workspace(honoursCasesFile = true): string {
  return makeRepo({
    'agent/params.json': '{ "threshold": 60 }\n',
    'eval/score.js': scoreJs(honoursCasesFile),
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'train', command: 'node eval/score.js', timeoutSec: 30, race: true }],
      objective: { eval: 'train', metric: 'pass_rate' },
      proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 1 },
      budget: { iterations: 2 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
  });
}

const threshold = (to: number) => toolCall('edit_file', { path: 'agent/params.json', search: '{ "threshold": 60 }', replace: `{ "threshold": ${to} }` });

test('a racing eval stops a candidate that fails every case after its first batch, rejected with partial metrics, and grades a better one on every case', async () => {
  const dir = workspace();
  const { run, candidates } = await model.run(dir, [
    threshold(0),
    toolCall('submit_change', { title: 'no passes at all', rationale: 'r' }),
    threshold(70),
    toolCall('submit_change', { title: 'ten more passes', rationale: 'r' }),
  ]);
  assert.equal(run.baseline!.evals[0]!.cases.length, 120, 'the baseline runs every case');
  assert.equal(run.baseline!.evals[0]!.raced, undefined, 'the baseline races nothing');

  const [worse, better] = candidates;
  assert.equal(worse!.status, 'rejected', worse!.reason);
  const stopped = worse!.evaluation!.evals[0]!;
  const ran = stopped.cases.length;
  assert.equal(ran, 12);
  // Six differing cases, all against it: 1/64, below the first look's share of 5%, 6·0.05/π² ≈ 0.03.
  assert.equal(worse!.reason, 'train: raced out after 12 of 120 cases: 6 newly failing, 0 newly passing; it is worse than its parent (a sign test at 5% error)');
  assert.equal(stopped.status, 'raced-out');
  assert.deepEqual(stopped.raced, { cases: ran, of: 120 });
  assert.deepEqual(worse!.objective?.partial, { cases: ran, of: 120 }, 'its objective says it is partial');
  assert.equal(stopped.metrics.pass_rate, stopped.cases.filter((c) => c.passed).length / ran, 'its metrics are of the cases it ran');

  assert.equal(better!.status, 'pending', better!.reason);
  const full = better!.evaluation!.evals[0]!;
  assert.equal(full.status, 'passed');
  assert.deepEqual(full.raced, { cases: 120, of: 120 });
  assert.deepEqual(full.cases.map((c) => c.id).sort(), run.baseline!.evals[0]!.cases.map((c) => c.id).sort(), 'every case, once');
  assert.equal(full.metrics.pass_rate, 70 / 120, 'metrics of every case, as a full grading has them');
  assert.equal(better!.objective?.partial, undefined);

  assert.deepEqual(run.race, { candidates: 2, stopped: 1, cases: ran + 120, of: 240, sparedCostUsd: 0, sparedCalls: 0 });
  const logs = readdirSync(path.join(dir, '.aiai', 'runs', run.id, 'logs'));
  assert.equal(logs.filter((f) => f.startsWith(`${worse!.id}-train-batch-`)).length, ran / 12, logs.join(', '));
  assert.equal(logs.filter((f) => f.startsWith(`${better!.id}-train-batch-`)).length, 10, 'the better one ran in ten batches of twelve');

  const text = runSummaryText({ run, candidates, best: better } as Parameters<typeof runSummaryText>[0], 'pass_rate');
  assert.ok(text.includes(`raced: 2 candidate(s), 1 stopped before their last case: ${ran + 120} case run(s) of the 240 a full grading would have run (${Math.round((100 * (120 - ran)) / 240)}% spared).`), text);
});

test('a racing eval that ignores $AIAI_CASES_FILE fails the candidate, saying which cases it reported unasked', async () => {
  const dir = workspace(false);
  const { candidates } = await model.run(dir, [threshold(70), toolCall('submit_change', { title: 'ten more passes', rationale: 'r' })]);
  const [c] = candidates;
  assert.equal(c!.status, 'failed');
  assert.match(c!.reason!, /^train: the eval races \("race": true\) but reported 108 case\(s\) it was not asked for \(case-\d{3}, .*, and 103 more\): it must run exactly the case ids that \$AIAI_CASES_FILE lists, one a line, and report those$/);
});

/** Forty cases, each one call of the agent's model through the gateway, tagged with its case; case i passes while i is below the threshold. */
const MODEL_EVAL_JS = `const fs = require('fs');
const { Anthropic } = require('@anthropic-ai/sdk');
const { threshold } = JSON.parse(fs.readFileSync('agent/params.json', 'utf8'));
const listed = process.env.AIAI_CASES_FILE;
const ids = listed ? fs.readFileSync(listed, 'utf8').split('\\n').filter(Boolean) : Array.from({ length: 40 }, (_, i) => 'case-' + i);
const client = new Anthropic({ maxRetries: 0 });
(async () => {
  const cases = [];
  for (const id of ids) {
    const m = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: id + ': I was charged twice' }] }, { headers: { 'x-aiai-case': id } });
    cases.push({ id, passed: Number(id.slice(5)) < threshold, output: m.content[0].text });
  }
  fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { ran: cases.length }, cases }));
})().catch((e) => { console.error(e); process.exit(2); });
`;

let upstream: SimulatedModel | undefined;
before(async () => {
  ensureDebianPackages(['bubblewrap']);
  upstream = await startSimulatedModel();
});
after(() => upstream?.close());

test("an agent that calls its model: the race spares the calls of the cases it did not run, priced at the parent's spend per case", async () => {
  const dir = modelAgentWorkspace(
    upstream!.port,
    { evals: [{ name: 'train', command: 'node eval/agent.js', timeoutSec: 60, race: true }], objective: { eval: 'train', metric: 'pass_rate' }, budget: { iterations: 1 } },
    { 'agent/params.json': '{ "threshold": 20 }\n', 'eval/agent.js': MODEL_EVAL_JS },
  );
  const { url } = upstream!;
  const saved = { key: process.env.ANTHROPIC_API_KEY, base: process.env.ANTHROPIC_BASE_URL };
  Object.assign(process.env, { ANTHROPIC_API_KEY: 'sk-ant-real-key', ANTHROPIC_BASE_URL: url });
  try {
    const before = upstream!.requests.length;
    const { run, candidates } = await runLoop(dir, {
      env: { ...process.env },
      proposer: new ScriptedProposer([paramsStep('no passes at all', { threshold: 0 })]),
      signal: new AbortController().signal,
    });
    const baseline = run.baseline!.evals[0]!;
    assert.equal(baseline.metrics['model.calls'], 40, 'the parent: one call a case');
    const stopped = candidates[0]!.evaluation!.evals[0]!;
    // A batch of eight, half of them passes of the parent: 4 against it is 1/16 to the sign test, not yet proof, but to
    // make up 4 cases in the 32 left against a trend of half a case lost in each it would need luck under 3%.
    assert.equal(stopped.status, 'raced-out', stopped.reason);
    assert.match(stopped.reason!, /after 8 of 40 cases: 4 newly failing, 0 newly passing; on its trend so far, the chance that it ends above its parent over all 40 cases is under 3%/);
    assert.deepEqual(stopped.raced, { cases: 8, of: 40 });
    assert.equal(stopped.metrics['model.calls'], 8, "the race's batch, metered");
    assert.equal(upstream!.requests.length - before, 48, 'the model was called for the baseline and the eight cases alone');
    assert.equal(run.race?.sparedCalls, 32);
    assert.equal(run.race?.sparedCostUsd, Math.round(baseline.metrics['model.cost_usd']! * 0.8 * 1e6) / 1e6);
    assert.ok(run.race!.sparedCostUsd > 0);
  } finally {
    for (const [name, value] of [['ANTHROPIC_API_KEY', saved.key], ['ANTHROPIC_BASE_URL', saved.base]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
