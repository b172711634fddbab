import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import type { EvalOutcome } from '../../src/core/grade/evaluation';
import { runLoop } from '../../src/core/loop/loop';
import { paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { survey, twoPhaseWorkspace } from '../fixtures/twoPhaseWorkspace';
import { cli, git } from '../helpers';

/*
 * Two-phase evals, through the real sandbox: the candidate's agent runs where no
 * answer, grader or metrics file is, and its grader runs afterwards where no code of
 * the candidate is. RELIABILITY.md tabulates these cases.
 */

before(() => ensureDebianPackages(['bubblewrap']));

function run(dir: string, steps: Parameters<typeof paramsStep>[] = []) {
  return runLoop(dir, { proposer: new ScriptedProposer(steps.map((s) => paramsStep(...s))), iterations: Math.max(1, steps.length), signal: new AbortController().signal });
}

const log = (o: EvalOutcome): string => readFileSync(o.logFile, 'utf8');
const gradeLog = (o: EvalOutcome): string => readFileSync(o.graded!.logFile, 'utf8');

test('an agent that looks for its answers and a metrics file to forge finds none, and scores exactly what its honest outputs score', async () => {
  const honest = (await run(twoPhaseWorkspace('honest'))).run.baseline!;
  const cheat = (await run(twoPhaseWorkspace('cheat'))).run.baseline!;
  for (const [i, name] of ['train', 'holdout'].entries()) {
    const [h, c] = [honest.evals[i]!, cheat.evals[i]!];
    assert.equal(c.name, name);
    assert.equal(c.status, 'passed', c.reason);
    assert.deepEqual(c.metrics, h.metrics, `${name}: the cheat scores what the honest agent does`);
    assert.equal(c.metrics.score, 0.5);
    assert.deepEqual(survey(log(c)), { found: [], holdoutInputs: name === 'holdout', phase: 'run' }, `${name}: nothing to read or forge, and the holdout's inputs only in its own run`);
  }
});

test("the grader runs in the baseline's files without the agent, sees only its own answers, and reads the outputs read-only", async () => {
  const { run: record } = await run(twoPhaseWorkspace('honest'));
  const [train, holdout] = record.baseline!.evals;
  assert.match(gradeLog(train!), /grader sees \{"agent":false,"otherAnswers":\["train\.json"\],"holdoutInputs":false,"phase":"grade"\}/);
  assert.match(gradeLog(holdout!), /grader sees \{"agent":false,"otherAnswers":\["holdout\.json"\],"holdoutInputs":true,"phase":"grade"\}/);
  assert.match(gradeLog(train!), /outputs read-only/);
  assert.doesNotMatch(log(train!), /grader sees/, "the command's log is the agent's alone");
  assert.equal(train!.graded!.logFile, train!.logFile.replace(/\.log$/, '.grade.log'));
});

test("a candidate that writes into the grader's folder and the answers changes nothing of its score, and is flagged", async () => {
  const dir = twoPhaseWorkspace('honest');
  const grader = readFileSync(path.join(dir, 'eval/grade.js'), 'utf8');
  const { candidates } = await run(dir, [['rewrite the grader', { mode: 'overwrite' }]]);
  const [c] = candidates;
  const train = c!.evaluation!.evals.find((e) => e.name === 'train')!;
  assert.equal(train.metrics.score, 0.5, 'graded by the real grader against the real answers');
  assert.deepEqual(c!.flags, ['tamper']);
  assert.match(c!.reason!, /eval\/grade\.js/);
  assert.match(c!.reason!, /eval\/answers\/train\.json/);
  assert.equal(readFileSync(path.join(dir, 'eval/grade.js'), 'utf8'), grader, "the person's grader is untouched");
});

test('a grader that crashes fails the candidate with its log, which a proposer never sees', async () => {
  const { candidates } = await run(twoPhaseWorkspace('honest'), [['answer in words', { mode: 'odd' }]]);
  const [c] = candidates;
  const train = c!.evaluation!.evals[0]!;
  assert.equal(c!.status, 'failed');
  assert.match(c!.reason!, /^train: the grader exited with code 1 \(its log: .*train(-\d+)?\.grade\.log\)$/);
  assert.match(train.graded!.logTail, /grader blew up on t0: expected 0/);
  assert.match(gradeLog(train), /grader blew up on t0/);
  assert.doesNotMatch(train.logTail, /grader blew up/, "the command's log tail, which a proposer may read, holds none of the grader's");
});

test("outputs that link to where only the grader can see fail the candidate before any grader runs", async () => {
  const { candidates } = await run(twoPhaseWorkspace('honest'), [['link the answers', { mode: 'link' }]]);
  const [c] = candidates;
  assert.equal(c!.status, 'failed');
  assert.match(c!.reason!, /^train: the command left a symbolic link in \$AIAI_OUTPUTS_DIR \(answers\.json → \/proc\/self\/cwd\/eval\/answers\/train\.json\)/);
  assert.equal(c!.evaluation!.evals[0]!.graded, undefined);
});

test('answers that turn out to hold editable files of the version are refused before the baseline runs, at their place in the config', () => {
  const dir = twoPhaseWorkspace('honest', { evals: [{ name: 'train', command: 'node eval/run.js train', grade: 'node eval/grade.js train', answers: ['**/*.json'] }] });
  const refused = cli(dir, 'run');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /config\.json:\d+:\d+: eval "train": its answers include editable files of the current version \(agent\/params\.json\); a candidate could change what it is graded against/);
  assert.equal(git(dir, 'status', '--porcelain'), '', 'nothing was left behind');
});
