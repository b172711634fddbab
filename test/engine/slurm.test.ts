import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { runLoop } from '../../src/core/loop/loop';
import type { ProposalOutcome, ProposalRequest } from '../../src/core/propose/proposer';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, KNOB_PAST_SMOKE, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { jobs, liveJobs, startSlurm, stopSlurm, type Job } from '../fixtures/slurmCluster';
import { modelAgentWorkspace } from '../fixtures/modelAgent';
import { survey, twoPhaseWorkspace } from '../fixtures/twoPhaseWorkspace';
import { startSimulatedModel } from '../../scripts/simulated-model.mjs';
import { cli, cliProcess, cliWithEnv, commitAll, configJson, exited, git, makeRepo, SEEDED, tempDir, until } from '../helpers';

/*
 * The Slurm executor against a real single-node Slurm (Debian's packages, started
 * here and stopped at the end): each eval of a candidate is a job (srun) named
 * aiai-<candidate id>-<eval name>, and what a run starts on the cluster, it ends.
 */

before(() => {
  startSlurm();
  // Exported in aiai's shell and named in no sandbox.env: SCORE_SH fails wherever it arrives.
  process.env.WITHHELD_SECRET = 'NOT-A-REAL-SECRET';
});
after(() => {
  delete process.env.WITHHELD_SECRET;
  stopSlurm();
});

/**
 * score = x / 10, unless a variable aiai withholds reached it. With eval/hang, train hangs for any x but 2; with a barrier folder, a
 * candidate's train waits for another's; given a folder outside its checkout, train
 * misbehaves when x is 7 (prints 3 MB), 8 (runs 40 processes) or 9 (writes there).
 */
const SCORE_SH = `[ -z "$WITHHELD_SECRET" ] || { echo "a variable aiai withholds reached the eval" >&2; exit 1; }
x=$(sed -n 's/.*"x": *\\([0-9]*\\).*/\\1/p' agent/params.json)
if [ "$1" = train ] && [ -e eval/hang ] && [ "$x" != 2 ]; then exec sleep 300; fi
if [ "$1" = train ] && [ -n "$3" ]; then
  case "$x" in
    7) yes 0123456789 | head -c 3000000; echo ;;
    8) for i in $(seq 40); do sleep 5 & done; wait ;;
    9) echo escaped > "$3/escaped" ;;
  esac
fi
if [ "$1" = train ] && [ -n "$2" ] && [ "$AIAI_CANDIDATE" != baseline ]; then
  echo "$SLURM_JOB_ID" > "$2/$AIAI_CANDIDATE"
  i=0
  while [ "$(ls "$2" | wc -l)" -lt 2 ]; do i=$((i + 1)); [ $i -gt 400 ] && { echo "no other candidate was evaluated at the same time" >&2; exit 1; }; sleep 0.05; done
fi
echo "{\\"score\\": $(awk "BEGIN { print $x / 10 }")}"
`;

function slurmWorkspace(options: { sharedDir: string; hang?: boolean; barrier?: string; outside?: string; timeoutSec?: number; sandbox?: Record<string, unknown> }): string {
  return makeRepo({
    'agent/params.json': `${JSON.stringify({ x: 2 }, null, 2)}\n`,
    'eval/score.sh': SCORE_SH,
    ...(options.hang ? { 'eval/hang': 'train hangs for any x but 2\n' } : {}),
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [
        { name: 'smoke', command: 'sh eval/score.sh smoke', timeoutSec: 30, gate: { metric: 'score', min: 0.1 } },
        { name: 'train', command: `sh eval/score.sh train '${options.barrier ?? ''}' '${options.outside ?? ''}'`, timeoutSec: options.timeoutSec ?? 30 },
      ],
      objective: { eval: 'train', metric: 'score' },
      // From 1: every candidate passes the smoke gate and reaches its train job (which may hang).
      knobs: KNOB_PAST_SMOKE,
      budget: { iterations: 2 },
      executor: { kind: 'slurm', sharedDir: options.sharedDir },
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
  });
}

/** The jobs submitted since `since` (a job list taken earlier). */
function newJobs(since: Job[]): Job[] {
  const last = since.at(-1)?.id ?? 0;
  return jobs().filter((j) => j.id > last);
}

/** What a run must not leave: a live aiai job, a worktree, anything under sharedDir. */
function assertNothingLeft(dir: string, sharedDir: string): void {
  assert.deepEqual(liveJobs().filter((name) => name.startsWith('aiai-')), [], 'no aiai job runs or waits');
  assert.deepEqual(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')), [`worktree ${dir}`], 'no evaluation worktree');
  assert.deepEqual(readdirSync(sharedDir), [], 'nothing under sharedDir');
}

/** A candidate's train job that runs now. */
function runningTrainJob(): Job | undefined {
  return jobs().find((j) => /^aiai-[0-9a-f]{12}-train$/.test(j.name) && j.state === 'RUNNING');
}

test('aiai run --iterations 4 --parallel 2 grades the baseline and every candidate as Slurm jobs named aiai-<id>-<eval>, as locally', () => {
  const sharedDir = tempDir();
  const dir = agentWorkspace({ config: { proposer: SEEDED, executor: { kind: 'slurm', sharedDir } } });
  const before = jobs();
  const result = cli(dir, 'run', '--iterations', '4', '--parallel', '2');
  assert.equal(result.code, 0, result.stderr);

  const candidates = new Store(dir).candidates();
  assert.equal(candidates.length, 4);
  assert.ok(candidates.some((c) => c.status === 'pending'), 'an improving candidate awaits review');
  const [run] = new Store(dir).runs();
  const expected = [
    ...run!.baseline!.evals.map((e) => `aiai-baseline-${e.name}`),
    // A candidate refused before grading, or whose content was already graded in the run, has no job.
    ...candidates.filter((c) => c.evaluation && !c.evaluatedAs).flatMap((c) => c.evaluation!.evals.map((e) => `aiai-${c.id}-${e.name}`)),
  ];
  const submitted = newJobs(before);
  assert.deepEqual(submitted.map((j) => j.name).sort(), expected.sort(), 'one job per eval run, and no other');
  assert.ok(submitted.every((j) => j.state === 'COMPLETED'));
  // By default srun submits them: allocated at once rather than at the controller's next pass.
  assert.match(execFileSync('scontrol', ['show', 'job', '-o', String(submitted[0]!.id)], { encoding: 'utf8' }), / BatchFlag=0 /);
  // Graded as locally: the eval's metrics, cases and log came back from the node.
  const best = candidates.find((c) => c.status === 'pending')!;
  const train = best.evaluation!.evals.find((e) => e.name === 'train')!;
  assert.equal(train.metrics.score, best.objective!.value);
  assert.equal(train.cases.length, 10);
  assert.match(readFileSync(train.logFile, 'utf8'), /scored train/);
  // The log ends with which job graded it, and where.
  assert.match(readFileSync(train.logFile, 'utf8'), new RegExp(`\\[aiai: aiai-${best.id}-train ran as Slurm job ${submitted.find((j) => j.name === `aiai-${best.id}-train`)!.id} on node ${os.hostname()}\\]\n$`));
  assertNothingLeft(dir, sharedDir);
});

test('with parallel 2, two candidates are evaluated by jobs running at the same time', async () => {
  const sharedDir = tempDir();
  const barrier = tempDir();
  // The eval writes its job id outside its checkout, so the sandbox is off here.
  const dir = slurmWorkspace({ sharedDir, barrier, sandbox: { mode: 'off' } });
  const proposer = new ScriptedProposer([paramsStep('x to 3', { x: 3 }), paramsStep('x to 4', { x: 4 })]);
  const summary = await runLoop(dir, { proposer, parallel: 2, iterations: 2, signal: new AbortController().signal });

  assert.deepEqual(summary.candidates.map((c) => c.evaluation!.evals.map((e) => e.status).join(',')), ['passed,passed', 'passed,passed'], 'each train eval met the other');
  const byJob = new Map(jobs().map((j) => [String(j.id), j.name]));
  for (const c of summary.candidates) {
    assert.equal(byJob.get(readFileSync(path.join(barrier, c.id), 'utf8').trim()), `aiai-${c.id}-train`, 'the eval ran inside its own job');
  }
  assertNothingLeft(dir, sharedDir);
});

test('inside its job an eval has the same sandbox, output cap and process limit as locally', async () => {
  const sharedDir = tempDir();
  const outside = tempDir();
  const dir = slurmWorkspace({ sharedDir, outside, sandbox: { mode: 'required', maxProcesses: 20 } });
  const steps = [7, 8, 9].map((x) => paramsStep(`x to ${x}`, { x }));
  const summary = await runLoop(dir, { proposer: new ScriptedProposer(steps), iterations: 3, signal: new AbortController().signal });
  const train = (i: number) => summary.candidates[i]!.evaluation!.evals.find((e) => e.name === 'train')!;

  // 3 MB of output: the log is cut at 2 MiB with a marker, and the metrics line after it still counts.
  assert.equal(train(0).status, 'passed');
  assert.equal(train(0).metrics.score, 0.7);
  const log = readFileSync(train(0).logFile, 'utf8');
  assert.ok(log.startsWith('0123456789\n'));
  assert.ok(log.length < 2 * 1024 * 1024 + 200, `a log of ${log.length} characters`);
  assert.match(log, /\[aiai: log cut here after 2097152 bytes; the rest of the output was discarded\]/);
  // 40 processes at once, over sandbox.maxProcesses.
  assert.equal(train(1).status, 'failed');
  assert.equal(train(1).reason, 'killed for running more than 20 processes at once (sandbox.maxProcesses)');
  // A write outside the checkout fails in the sandbox, which sandbox.mode "required" demanded of the node.
  assert.equal(train(2).status, 'passed');
  assert.deepEqual(readdirSync(outside), []);
  assertNothingLeft(dir, sharedDir);
});

test('a hanging eval is killed at its timeout, its job cancelled; the job was given a time limit of whole minutes', async () => {
  const sharedDir = tempDir();
  const dir = slurmWorkspace({ sharedDir, hang: true, timeoutSec: 2 });
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 5', { x: 5 })]), iterations: 1, signal: new AbortController().signal });

  const [candidate] = summary.candidates;
  assert.equal(candidate!.status, 'failed');
  assert.equal(candidate!.reason, 'train: timeout: killed after 2s with every process it started');
  const job = jobs().find((j) => j.name === `aiai-${candidate!.id}-train`)!;
  assert.equal(job.state, 'CANCELLED');
  assert.match(execFileSync('scontrol', ['show', 'job', '-o', String(job.id)], { encoding: 'utf8' }), /TimeLimit=00:01:00/);
  assertNothingLeft(dir, sharedDir);
});

test('a job ended by Slurm rather than by its eval (here an scancel from outside) fails that candidate, with what Slurm did, and the run goes on', async () => {
  const sharedDir = tempDir();
  // The eval's own timeout is far off, so that only the scancel can end it, however slowly a loaded machine notices.
  const dir = slurmWorkspace({ sharedDir, hang: true, timeoutSec: 300 });
  const cancelled = until(() => runningTrainJob() !== undefined, 120_000, "a candidate's train job runs").then(() => {
    const job = runningTrainJob()!;
    execFileSync('scancel', [String(job.id)]);
    return job;
  });
  // Train hangs for x = 5 (until cancelled), not for x = 2.
  const steps = [paramsStep('x to 5', { x: 5 }), paramsStep('a note', { x: 2, note: 'x stays 2' })];
  const summary = await runLoop(dir, { proposer: new ScriptedProposer(steps), iterations: 2, signal: new AbortController().signal });
  const job = await cancelled;

  const [first, second] = summary.candidates;
  assert.equal(first!.status, 'failed');
  assert.match(first!.reason ?? '', new RegExp(`^train: job ${job.id} was cancelled outside aiai \\(scancel or an administrator\\)`));
  assert.deepEqual(second!.evaluation!.evals.map((e) => e.status), ['passed', 'passed'], 'the next candidate was graded');
  assertNothingLeft(dir, sharedDir);
});

/** `aiai run` on a workspace whose train eval hangs, once a candidate's train job runs. */
async function hangingRun(iterations: number): Promise<{ dir: string; sharedDir: string; child: ChildProcess; job: Job }> {
  const sharedDir = tempDir();
  const dir = slurmWorkspace({ sharedDir, hang: true });
  const child = cliProcess(dir, 'run', '--iterations', String(iterations));
  await until(() => runningTrainJob() !== undefined, 30_000, "a candidate's train job runs");
  return { dir, sharedDir, child, job: runningTrainJob()! };
}

test('Ctrl-C in the middle of a slow run cancels its job: nothing of it is left in squeue, in git or under sharedDir', async () => {
  const { dir, sharedDir, child, job } = await hangingRun(3);
  child.kill('SIGINT');

  assert.equal(await exited(child), 130);
  assert.equal(jobs().find((j) => j.id === job.id)!.state, 'CANCELLED');
  assert.deepEqual(new Store(dir).runs().map((r) => r.state), ['interrupted']);
  assert.equal(git(dir, 'for-each-ref', 'refs/aiai/'), '', 'the candidate in flight left no ref');
  assertNothingLeft(dir, sharedDir);
});

test('after a kill -9 of aiai, its job keeps running until the next run cancels it, and says so', async () => {
  const { dir, sharedDir, child, job } = await hangingRun(1);
  child.kill('SIGKILL');
  await exited(child);
  assert.equal(jobs().find((j) => j.id === job.id)!.state, 'RUNNING', 'the job outlived aiai');

  git(dir, 'rm', '-q', 'eval/hang');
  commitAll(dir, 'train no longer hangs');
  const next = cli(dir, 'run', '--iterations', '1');
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, /cancelled 1 Slurm job\(s\) that an earlier run left/);
  assert.equal(jobs().find((j) => j.id === job.id)!.state, 'CANCELLED');
  assertNothingLeft(dir, sharedDir);
});

/** A workspace whose config has this executor. */
function withExecutor(executor: Record<string, unknown>): string {
  const dir = slurmWorkspace({ sharedDir: '/unused' });
  const file = path.join(dir, '.aiai', 'config.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/"executor": \{[^}]*\}/, `"executor": ${JSON.stringify(executor)}`));
  commitAll(dir, 'executor');
  return dir;
}

test('with executor.submit "sbatch", each eval is a batch job instead, graded the same', async () => {
  const sharedDir = tempDir();
  const dir = withExecutor({ kind: 'slurm', sharedDir, submit: 'sbatch' });
  const before = jobs();
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([paramsStep('x to 3', { x: 3 })]), iterations: 1, signal: new AbortController().signal });

  const [candidate] = summary.candidates;
  assert.equal(candidate!.status, 'pending');
  assert.equal(candidate!.objective!.value, 0.3);
  const submitted = newJobs(before);
  assert.deepEqual(submitted.map((j) => j.name).sort(), ['aiai-baseline-smoke', 'aiai-baseline-train', `aiai-${candidate!.id}-smoke`, `aiai-${candidate!.id}-train`].sort());
  for (const job of submitted) {
    assert.match(execFileSync('scontrol', ['show', 'job', '-o', String(job.id)], { encoding: 'utf8' }), /JobState=COMPLETED .* BatchFlag=1 /, `${job.name} ran as a batch job`);
  }
  assertNothingLeft(dir, sharedDir);
});

test('run from inside a job of its own (salloc, sbatch), aiai still submits each eval as a job of one task, not as steps of that job', () => {
  const sharedDir = tempDir();
  const dir = slurmWorkspace({ sharedDir });
  const before = jobs();
  // What srun would otherwise read as its options: that job's id, tasks and CPUs.
  const result = cliWithEnv({ SLURM_JOB_ID: '999999', SLURM_JOBID: '999999', SLURM_NTASKS: '3', SLURM_CPUS_PER_TASK: '64' }, dir, 'run', '--iterations', '1');
  assert.equal(result.code, 0, result.stderr);

  const submitted = newJobs(before);
  assert.deepEqual(submitted.map((j) => j.name).filter((n) => n.startsWith('aiai-baseline-')), ['aiai-baseline-smoke', 'aiai-baseline-train']);
  for (const job of submitted) {
    assert.match(execFileSync('scontrol', ['show', 'job', '-o', String(job.id)], { encoding: 'utf8' }), / NumTasks=1 CPUs\/Task=1 /, `${job.name} is one task of one CPU`);
  }
  assertNothingLeft(dir, sharedDir);
});

test('problems of the cluster stop the run before anything is submitted, each with what to do', async () => {
  const sharedDir = tempDir();
  const before = jobs();
  const config = withExecutor;

  const unknown = config({ kind: 'slurm', partition: 'nope', sharedDir });
  const partition = cli(unknown, 'run');
  assert.equal(partition.code, 2);
  const line = readFileSync(path.join(unknown, '.aiai', 'config.json'), 'utf8').split('\n').findIndex((l) => l.includes('"nope"')) + 1;
  assert.match(partition.stderr, new RegExp(`config\\.json:${line}:\\d+: Slurm has no partition "nope" \\(its partitions: debug\\)`));

  // Even root may not write under /sys.
  const unwritable = cli(config({ kind: 'slurm', sharedDir: '/sys' }), 'run');
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /config\.json:\d+:\d+: executor\.sharedDir \/sys is not writable from this machine: EPERM/);
  const missing = cli(config({ kind: 'slurm', sharedDir: path.join(sharedDir, 'not-mounted') }), 'run');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /executor\.sharedDir \S+not-mounted is not a folder on this machine: it must be a shared filesystem mounted at the same path here and on every node/);

  // A machine without the Slurm commands: only git on the PATH.
  const bin = tempDir();
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), path.join(bin, 'git'));
  const noSlurm = cliWithEnv({ PATH: bin }, slurmWorkspace({ sharedDir }), 'run');
  assert.equal(noSlurm.code, 1);
  assert.match(noSlurm.stderr, /srun was not found on this machine's PATH/);

  const node = execFileSync('sinfo', ['-h', '-o', '%N'], { encoding: 'utf8' }).trim();
  execFileSync('scontrol', ['update', `nodename=${node}`, 'state=down', 'reason=aiai-test']);
  try {
    const down = cli(slurmWorkspace({ sharedDir }), 'run');
    assert.equal(down.code, 1);
    assert.match(down.stderr, /no node of the default partition can run jobs \(sinfo: down\); bring a node back/);
  } finally {
    execFileSync('scontrol', ['update', `nodename=${node}`, 'state=resume']);
    await until(() => execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' }).trim() === 'idle', 10_000, 'the node is idle again');
  }
  assert.deepEqual(newJobs(before), [], 'no job was submitted');
  assert.deepEqual(readdirSync(sharedDir), []);
});

test('a job Slurm refuses, or would never start, stops the run with what Slurm said; nothing is left waiting', () => {
  const sharedDir = tempDir();
  const refused = cli(withExecutor({ kind: 'slurm', sharedDir, sbatchArgs: ['--mem=999999999'] }), 'run');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Slurm refused the job for eval "smoke" of baseline: Memory specification can not be satisfied; .*\(the job asks for more than any node of the partition has; check executor\.sbatchArgs\)/);

  const sbatchOnly = cli(withExecutor({ kind: 'slurm', sharedDir, sbatchArgs: ['--requeue'] }), 'run');
  assert.equal(sbatchOnly.code, 1);
  assert.match(sbatchOnly.stderr, /Slurm refused the job for eval "smoke" of baseline: srun: unrecognized option '--requeue'.* \(srun does not take this option of sbatch: remove it from executor\.sbatchArgs, or set executor\.submit to "sbatch"\)/);

  const waiting = withExecutor({ kind: 'slurm', sharedDir, sbatchArgs: ['--cpus-per-task=64'] });
  const never = cli(waiting, 'run');
  assert.equal(never.code, 1);
  assert.match(never.stderr, /Slurm will never start job \d+ \(aiai-baseline-smoke\) as asked: it waits with reason PartitionConfig; the job asks for more than the partition allows; check executor\.sbatchArgs/);
  assert.equal(jobs().at(-1)!.state, 'CANCELLED');
  assertNothingLeft(waiting, sharedDir);
});

test('a node that goes down while a run waits for it stops the run, its waiting job cancelled', async () => {
  const sharedDir = tempDir();
  const dir = slurmWorkspace({ sharedDir });
  const node = execFileSync('sinfo', ['-h', '-o', '%N'], { encoding: 'utf8' }).trim();
  // The node is drained after the baseline is graded, while the first candidate is proposed.
  const drainThenPropose = async (request: ProposalRequest): Promise<ProposalOutcome> => {
    execFileSync('scontrol', ['update', `nodename=${node}`, 'state=drain', 'reason=aiai-test']);
    return paramsStep('x to 3', { x: 3 })(request);
  };
  try {
    await assert.rejects(
      runLoop(dir, { proposer: new ScriptedProposer([drainThenPropose]), iterations: 1, signal: new AbortController().signal }),
      /no node of partition "debug" can run jobs \(sinfo: drained\); bring a node back .* \(job \d+, aiai-[0-9a-f]{12}-smoke, waits with reason: /,
    );
  } finally {
    execFileSync('scontrol', ['update', `nodename=${node}`, 'state=resume']);
    await until(() => execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' }).trim() === 'idle', 10_000, 'the node is idle again');
  }
  assert.equal(jobs().at(-1)!.state, 'CANCELLED');
  assertNothingLeft(dir, sharedDir);
});

test('on Slurm too, an agent in the sandbox with the network off calls its model through the gateway, metered, with no real key in its job', async () => {
  const model = await startSimulatedModel();
  try {
    const sharedDir = tempDir('aiai-slurm-shared-');
    const dir = modelAgentWorkspace(model.port, { executor: { kind: 'slurm', sharedDir }, models: { gatewayHost: '127.0.0.1' }, budget: { iterations: 1 } });
    const summary = await runLoop(dir, {
      env: { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-REAL-KEY-on-the-login-node', ANTHROPIC_BASE_URL: model.url },
      proposer: new ScriptedProposer([paramsStep('three calls', { x: 5, calls: 3, upstreamPort: model.port })]),
      signal: new AbortController().signal,
    });
    const [baseline, candidate] = [summary.run.baseline!.evals[0]!, summary.candidates[0]!.evaluation!.evals[0]!];
    for (const [train, calls] of [[baseline, 2], [candidate, 3]] as const) {
      assert.equal(train.status, 'passed', `${train.reason}: ${train.logTail}`);
      assert.equal(train.metrics['model.calls'], calls);
      assert.equal(train.metrics['model.input_tokens'], train.metrics.seen_input);
      assert.equal(train.metrics.reached_upstream, 0, 'the sandbox on the node reaches nothing but the gateway');
      assert.ok(!train.logTail.includes('REAL-KEY'));
    }
    assert.ok(model.requests.every((r) => r.headers['x-api-key'] === 'sk-ant-REAL-KEY-on-the-login-node'));
    assert.equal(model.requests.length, 5);
  } finally {
    await model.close();
  }
});

test('on Slurm, a two-phase eval is two jobs, the agent\'s then its grader\'s: the agent finds no answer or metrics file and scores what an honest one does', async () => {
  const sharedDir = tempDir('aiai-slurm-shared-');
  const before = jobs();
  const dir = twoPhaseWorkspace('cheat', { config: { executor: { kind: 'slurm', sharedDir }, sandbox: { mode: 'auto' } } });
  const summary = await runLoop(dir, { proposer: new ScriptedProposer([]), iterations: 1, signal: new AbortController().signal });
  for (const e of summary.run.baseline!.evals) {
    assert.equal(e.status, 'passed', e.reason);
    assert.equal(e.metrics.score, 0.5, `${e.name}: the honest score`);
    assert.deepEqual(survey(readFileSync(e.logFile, 'utf8')).found, []);
    assert.match(readFileSync(e.graded!.logFile, 'utf8'), /"agent":false/);
  }
  assert.deepEqual(newJobs(before).map((j) => j.name), ['aiai-baseline-train', 'aiai-baseline-train-grade', 'aiai-baseline-holdout', 'aiai-baseline-holdout-grade']);
  assertNothingLeft(dir, sharedDir);
});
