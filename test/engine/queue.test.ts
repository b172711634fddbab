import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { approve } from '../../src/core/deploy/approve';
import { runLoop } from '../../src/core/loop/loop';
import type { ProposalRequest } from '../../src/core/propose/proposer';
import { Store } from '../../src/core/record/store';
import { runSummaryText } from '../../src/cli/format';
import { agentWorkspace, paramsStep, proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { MessagesServer, toolUse } from '../fixtures/messagesServer';
import { cli, cliJson, commitAll, configJson, git, makeRepo } from '../helpers';

/*
 * A queue a person can get through: approving supersedes what is no longer worth
 * reviewing, a chain is reviewed as one change, the queue filters and rejects in
 * bulk with reasons that teach, and a flagged candidate is never the best.
 */

interface Listed {
  id: string;
  status: string;
  reason: string | null;
  parent: string;
}

let server: MessagesServer;
before(async () => {
  server = await MessagesServer.start();
});
after(() => server.close());

/** An agent with two independent knobs in two files: score = (x + y) / 10, one case per point. */
const SUM_JS = `
const fs = require('fs');
const x = JSON.parse(fs.readFileSync('agent/a.json', 'utf8')).x;
const y = JSON.parse(fs.readFileSync('agent/b.json', 'utf8')).y;
const k = x + y;
const cases = Array.from({ length: 10 }, (_, i) => ({ id: 'case-' + i, passed: i < k, input: 'q' + i, expected: 'a' + i, output: i < k ? 'a' + i : '?' }));
fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { score: k / 10 }, cases }));
`;

function twoKnobWorkspace(): string {
  return makeRepo({
    'agent/a.json': '{ "x": 1 }\n',
    'agent/b.json': '{ "y": 1 }\n',
    'eval/sum.js': SUM_JS,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'train', command: 'node eval/sum.js', timeoutSec: 20 }],
      objective: { eval: 'train', metric: 'score', direction: 'maximize' },
      knobs: [{ file: 'agent/a.json', jsonPointer: '/x', min: 0, max: 10, step: 1 }],
      budget: { iterations: 3 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
  });
}

/** Sets one knob in its file, from the parent's content. */
const setKnob = (file: string, key: string, value: number) => async (request: ProposalRequest) => {
  const current = (await request.readFile(request.parent.commit, file))!;
  return proposal(`${key} to ${value}`, [{ path: file, search: current, replace: `{ "${key}": ${value} }\n` }]);
};

async function run(dir: string, steps: ConstructorParameters<typeof ScriptedProposer>[0]) {
  return runLoop(dir, { proposer: new ScriptedProposer(steps), signal: new AbortController().signal });
}

const audit = (dir: string): Array<Record<string, string>> =>
  readFileSync(path.join(dir, '.aiai', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);

test('a chain is reviewed as one change; approving its tip supersedes the chain and the siblings it conflicts with, and the queue keeps what still applies', async () => {
  const dir = twoKnobWorkspace();
  const baseline = git(dir, 'rev-parse', 'HEAD');
  const chain = await run(dir, [setKnob('agent/a.json', 'x', 3), setKnob('agent/a.json', 'x', 5)]);
  const [a, b] = chain.candidates;
  assert.equal(b!.parent.id, a!.id, 'b grew from a, which awaits review');
  const [s] = (await run(dir, [setKnob('agent/a.json', 'x', 4)])).candidates;
  const [t] = (await run(dir, [setKnob('agent/b.json', 'y', 3)])).candidates;
  assert.deepEqual([a, b, s, t].map((c) => c!.status), ['pending', 'pending', 'pending', 'pending']);

  // Before approving: show says the tip applies the whole chain, against the current version.
  const shown = cli(dir, 'show', b!.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^approving {2}applies the whole chain of 2 steps from v0 \\(${baseline.slice(0, 8)}\\), as one change: ${a!.id} \\(pending\\) → ${b!.id}$`, 'm'));
  assert.match(shown.stdout, new RegExp(`^ {11}${a!.id} is then marked superseded$`, 'm'));
  assert.match(shown.stdout, new RegExp(`^vs current score 0\\.2 → 0\\.6 \\(\\+0\\.4\\) against v0 \\(${baseline.slice(0, 8)}\\), the current version$`, 'm'));
  assert.doesNotMatch(cli(dir, 'show', a!.id).stdout, /applies the whole chain/, 'a candidate of the baseline is its own change');

  const approved = cli(dir, 'approve', b!.id);
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, new RegExp(`^superseded 2 pending candidate\\(s\\) no longer worth applying: (${a!.id}, ${s!.id}|${s!.id}, ${a!.id})$`, 'm'));

  // What is left to review is what still applies to the branch.
  assert.deepEqual(cliJson<Listed[]>(dir, 'list', '--status', 'pending').map((c) => c.id), [t!.id]);
  const superseded = cliJson<Listed[]>(dir, 'list', '--status', 'superseded');
  assert.deepEqual(superseded.map((c) => c.id).sort(), [a!.id, s!.id].sort());
  const reasons = new Map(superseded.map((c) => [c.id, c.reason]));
  assert.equal(reasons.get(a!.id), `superseded by ${b!.id} (v1), which applied its change as part of the chain`);
  assert.equal(reasons.get(s!.id), `superseded by ${b!.id} (v1): its change no longer applies to the branch`);
  const store = new Store(dir);
  assert.deepEqual(store.candidate(s!.id).decision && { by: store.candidate(s!.id).decision!.by, supersededBy: store.candidate(s!.id).decision!.supersededBy }, { by: 'person via cli', supersededBy: b!.id });
  assert.equal(git(dir, 'rev-parse', `refs/aiai/candidates/${a!.id}`), a!.commit, 'a superseded candidate keeps its ref');
  const lines = audit(dir).filter((e) => e.event === 'supersession');
  assert.deepEqual(lines.map((e) => [e.candidate, e.by, e.commit]).sort(), [[a!.id, 'person via cli', git(dir, 'rev-parse', 'HEAD')], [s!.id, 'person via cli', git(dir, 'rev-parse', 'HEAD')]].sort());

  // A superseded candidate cannot be approved, or rejected; the one that still applies is graded again on top, then approved.
  const refused = cli(dir, 'approve', s!.id);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`candidate ${s!.id} cannot be approved: it is superseded by ${b!.id} \\(v1\\): its change no longer applies to the branch`));
  assert.equal(cli(dir, 'reject', a!.id).code, 1);
  const ungraded = cli(dir, 'approve', t!.id);
  assert.equal(ungraded.code, 1);
  assert.match(ungraded.stderr, new RegExp(`the branch moved since candidate ${t!.id} was graded .*\`aiai derive ${t!.id}\``));
  const regraded = cliJson<{ candidate: { id: string; metrics: { score: number } } }>(dir, 'derive', t!.id);
  assert.equal(regraded.candidate.metrics.score, 0.8, 'x 5 and y 3, measured together');
  const second = cli(dir, 'approve', regraded.candidate.id);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(readFileSync(path.join(dir, 'agent', 'a.json'), 'utf8'), '{ "x": 5 }\n');
  assert.equal(readFileSync(path.join(dir, 'agent', 'b.json'), 'utf8'), '{ "y": 3 }\n');
  assert.deepEqual(cliJson<Listed[]>(dir, 'list', '--status', 'pending'), [], 'the one graded on the old version is superseded: the branch holds its change');
});

test('a candidate that grew from the approved one stays pending, as its own change on top of it', async () => {
  const dir = twoKnobWorkspace();
  const [a, b, c] = (await run(dir, [setKnob('agent/a.json', 'x', 3), setKnob('agent/a.json', 'x', 5), setKnob('agent/b.json', 'y', 2)])).candidates;
  assert.deepEqual([b!.parent.id, c!.parent.id], [a!.id, b!.id]);
  const { superseded } = await approve(dir, b!.id, { by: 'person via test' });
  assert.deepEqual(superseded.map((x) => x.id), [a!.id]);
  assert.deepEqual(cliJson<Listed[]>(dir, 'list', '--status', 'pending').map((x) => x.id), [c!.id]);
  const shown = cli(dir, 'show', c!.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.doesNotMatch(shown.stdout, /applies the whole chain/, 'its only step left is its own');
  await approve(dir, c!.id, { by: 'person via test' });
  assert.equal(git(dir, 'diff', '--name-only', 'HEAD~1', 'HEAD'), 'agent/b.json', 'the second approval applies only what is new');
});

test('an approval supersedes only what it made stale: a change that already conflicted with the developer\'s own commit stays as it was', async () => {
  const dir = twoKnobWorkspace();
  const [s] = (await run(dir, [setKnob('agent/a.json', 'x', 4)])).candidates;
  writeFileSync(path.join(dir, 'agent', 'a.json'), '{ "x": 2 }\n');
  commitAll(dir, 'the developer sets x');
  const [t] = (await run(dir, [setKnob('agent/b.json', 'y', 3)])).candidates;
  const { superseded } = await approve(dir, t!.id, { by: 'person via test' });
  assert.deepEqual(superseded, []);
  assert.equal(new Store(dir).candidate(s!.id).status, 'pending', 'the approval did not make it conflict: the developer did');
  await assert.rejects(approve(dir, s!.id, { by: 'person via test' }), /no longer applies cleanly; nothing was applied/);
});

test('list --status filters by one or several statuses; an unknown status is a usage error that names the valid ones', async () => {
  const dir = agentWorkspace();
  await run(dir, [paramsStep('x to 5', { x: 5 }), paramsStep('x to 1', { x: 1 }), () => proposal('touch the grader', [{ path: 'eval/score.js', search: '', replace: 'x' }])]);
  const all = cliJson<Listed[]>(dir, 'list');
  assert.deepEqual(all.map((c) => c.status), ['pending', 'rejected', 'refused']);
  assert.deepEqual(cliJson<Listed[]>(dir, 'list', '--status', 'refused,pending').map((c) => c.status), ['pending', 'refused']);
  const text = cli(dir, 'list', '--status', 'approved');
  assert.equal(text.code, 0);
  assert.equal(text.stdout, 'no approved candidates\n');

  const bad = cli(dir, 'list', '--status', 'pending,waiting');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown status "waiting"; valid statuses: pending, approved, rejected, refused, failed, superseded, damaged/);
  const badJson = cli(dir, 'list', '--status', 'waiting', '--json');
  assert.equal(badJson.code, 2);
  assert.equal((JSON.parse(badJson.stdout) as { error: { kind: string } }).error.kind, 'usage');
});

test('reject takes several ids or --all-pending, with a quick reason beside the words; a failure on one does not stop the others', async () => {
  const dir = agentWorkspace();
  const [a, b, c] = (await run(dir, [paramsStep('x to 5', { x: 5 }), paramsStep('x to 6', { x: 6 }), paramsStep('x to 7', { x: 7 })])).candidates;
  assert.deepEqual([a, b, c].map((x) => x!.status), ['pending', 'pending', 'pending']);

  const some = cli(dir, 'reject', a!.id, 'nosuch', c!.id, '--because', 'overfits', '--reason', 'tuned to the train ids');
  assert.equal(some.code, 2, 'an unknown id is a usage error, reported with the others done');
  assert.equal(some.stdout, `rejected ${a!.id}: overfits: tuned to the train ids\nrejected ${c!.id}: overfits: tuned to the train ids\n`);
  assert.match(some.stderr, /not rejected nosuch: no candidate "nosuch"/);
  assert.match(some.stderr, /1 of 3 could not be rejected/);
  const record = new Store(dir).candidate(a!.id);
  assert.equal(record.status, 'rejected');
  assert.equal(record.reason, 'overfits: tuned to the train ids');
  assert.deepEqual([record.decision?.because, record.decision?.reason, record.decision?.by], ['overfits', 'tuned to the train ids', 'person via cli']);
  assert.deepEqual(audit(dir).filter((e) => e.event === 'rejection').map((e) => [e.candidate, e.detail]), [[a!.id, 'overfits: tuned to the train ids'], [c!.id, 'overfits: tuned to the train ids']]);

  const again = cli(dir, 'reject', a!.id, b!.id, '--because', 'style');
  assert.equal(again.code, 1, 'a candidate that is no longer pending is a refusal');
  assert.equal(again.stdout, `rejected ${b!.id}: style\n`);
  assert.match(again.stderr, new RegExp(`not rejected ${a!.id}: candidate ${a!.id} is rejected; only a pending candidate can be rejected`));

  const [d] = (await run(dir, [paramsStep('x to 8', { x: 8 })])).candidates;
  const all = cli(dir, 'reject', '--all-pending', '--because', 'too-risky', '--json');
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(JSON.parse(all.stdout), [{ id: d!.id, status: 'rejected', reason: 'too-risky', because: 'too-risky' }]);
  assert.equal(cli(dir, 'reject', '--all-pending').stdout, 'no candidate awaits review: nothing to reject\n');
  const failedJson = cli(dir, 'reject', d!.id, 'nosuch', '--json');
  assert.equal(failedJson.code, 2);
  const outcomes = JSON.parse(failedJson.stdout) as Array<{ id: string; error: { kind: string; message: string } }>;
  assert.deepEqual(outcomes.map((o) => [o.id, o.error.kind]), [[d!.id, 'runtime'], ['nosuch', 'usage']]);
  assert.match(outcomes[0]!.error.message, /is rejected; only a pending candidate can be rejected/);

  const badReason = cli(dir, 'reject', d!.id, '--because', 'ugly');
  assert.equal(badReason.code, 2);
  assert.match(badReason.stderr, /Allowed choices are overfits, too-risky, wrong-direction, style/);
  assert.equal(cli(dir, 'reject').code, 2);
  assert.match(cli(dir, 'reject', d!.id, '--all-pending').stderr, /give candidate ids or --all-pending, not both/);
});

test('a candidate flagged overfit is never the best of a run, though it awaits review', async () => {
  const dir = agentWorkspace();
  const summary = await run(dir, [paramsStep('x to 9, holdout worse', { x: 9, holdout: 1 }), paramsStep('x to 6', { x: 6 })]);
  const [flagged, sound] = summary.candidates;
  assert.deepEqual([flagged!.status, flagged!.flags], ['pending', ['overfit']]);
  assert.equal(sound!.status, 'pending');
  assert.ok(flagged!.objective!.value > sound!.objective!.value, 'the flagged one scores higher on train');
  assert.equal(summary.best?.id, sound!.id);
  const text = runSummaryText(summary, 'score').split('\n');
  assert.equal(text.at(-2), `flagged, so never the best: ${flagged!.id} [overfit] (awaiting review all the same).`);
  assert.match(text.at(-1)!, new RegExp(`^best: ${sound!.id} score 0\\.2 → 0\\.6 `));

  const alone = await run(agentWorkspace(), [paramsStep('x to 9, holdout worse', { x: 9, holdout: 1 })]);
  assert.equal(alone.candidates[0]!.flags[0], 'overfit');
  assert.equal(alone.best, undefined);
  assert.equal(runSummaryText(alone, 'score').split('\n').at(-1), 'no unflagged candidate beat the current version (score 0.2).');
});

test('the quick reason of a rejection reaches the model proposer, with what it means', async () => {
  const dir = agentWorkspace({ config: { proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 1, mode: 'single' }, budget: { iterations: 1 } } });
  const env = { ...process.env, ANTHROPIC_API_KEY: 'sk-test-loopback', ANTHROPIC_BASE_URL: server.url };
  const modelRun = async (to: number) => {
    server.reset().reply(toolUse({ title: `x to ${to}`, rationale: 'r', edits: [{ path: 'agent/params.json', search: '"x": 2', replace: `"x": ${to}` }] }));
    return runLoop(dir, { signal: new AbortController().signal, env });
  };
  const id = (await modelRun(9)).candidates[0]!.id;
  const rejected = cli(dir, 'reject', id, '--because', 'overfits', '--reason', 'only the train ids');
  assert.equal(rejected.code, 0, rejected.stderr);
  await modelRun(6);
  const [request] = server.proposalRequests();
  assert.match(
    JSON.stringify(request),
    new RegExp(`- \\\\"x to 9\\\\" \\(candidate ${id}\\): overfits: only the train ids \\(overfits means: it fits the evaluation cases rather than the task`),
  );
});

test('a candidate a run built on one that an approval during the run superseded is superseded at the next approval, naming that ancestor', async () => {
  const dir = twoKnobWorkspace();
  const [s] = (await run(dir, [setKnob('agent/a.json', 'x', 4)])).candidates;
  // While this run grades a, a person approves s: a no longer applies, and the run goes on to build b on a.
  const during = await run(dir, [
    setKnob('agent/a.json', 'x', 3),
    async (request: ProposalRequest) => {
      await approve(dir, s!.id, { by: 'person during the run' });
      return setKnob('agent/b.json', 'y', 3)(request);
    },
  ]);
  const [a, b] = during.candidates;
  assert.equal(b!.parent.id, a!.id, 'b grew from a');
  const store = new Store(dir);
  assert.equal(store.candidate(a!.id).status, 'superseded');
  assert.equal(store.candidate(b!.id).status, 'pending', 'b was made after the approval');

  // The next approval sweeps b: approving it would carry a's step, which no longer applies.
  const [t] = (await run(dir, [setKnob('agent/b.json', 'y', 2)])).candidates;
  await approve(dir, t!.id, { by: 'person via test' });
  const swept = store.candidate(b!.id);
  assert.equal(swept.status, 'superseded');
  assert.equal(swept.reason, `superseded by ${t!.id} (v2): it grew from ${a!.id}, which is superseded by ${s!.id} (v1): its change no longer applies to the branch`);
  assert.deepEqual(cliJson<Listed[]>(dir, 'list', '--status', 'pending'), [], 'nothing that can never be approved is left to review');
});
