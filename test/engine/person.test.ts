import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkoutCandidate } from '../../src/core/deploy/checkout';
import { candidateHunks, deriveCandidate } from '../../src/core/loop/derive';
import { runLoop } from '../../src/core/loop/loop';
import { tryChange } from '../../src/core/loop/tryChange';
import { Store } from '../../src/core/record/store';
import { agentWorkspace, paramsStep, proposal, ScriptedProposer, type WorkspaceOptions } from '../fixtures/agentWorkspace';
import { cli, cliJson, cliProcess, commitAll, exited, git, snapshot, tempDir, waitForFile } from '../helpers';

/* The person as co-author (issue 12): `aiai try`, `aiai checkout`, `aiai derive`. */

const BY = { by: 'person via test', signal: new AbortController().signal };

interface PersonJson {
  run: string;
  candidate: { id: string; status: string; delta: number | null; reason: string | null; parent: string; proposer: string; derivedFrom: string | null };
  leftOut: Array<{ path: string; reason: string }>;
}

/** What a person has in their checkout: the bytes of every file, what git says of them, the index's bytes, the branch and its commit. */
function checkoutState(dir: string) {
  // The index first: a plain `git status` may refresh it; this one may not.
  const index = createHash('sha256').update(readFileSync(path.join(dir, '.git', 'index'))).digest('hex');
  return {
    index,
    status: git(dir, '--no-optional-locks', 'status', '--porcelain', '--untracked-files=all'),
    files: snapshot(dir),
    head: git(dir, 'rev-parse', 'HEAD'),
    branch: git(dir, 'symbolic-ref', 'HEAD'),
  };
}

const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), 'utf8');
const params = (x: Record<string, unknown>): string => `${JSON.stringify(x, null, 2)}\n`;

/** A workspace with one candidate of the loop, made by `steps`. */
async function withCandidate(steps: ConstructorParameters<typeof ScriptedProposer>[0], options: WorkspaceOptions = {}) {
  const dir = agentWorkspace(options);
  const summary = await runLoop(dir, { proposer: new ScriptedProposer(steps), signal: new AbortController().signal, iterations: steps.length });
  return { dir, candidates: summary.candidates };
}

/** A step that raises x to 6 and rewords the prompt: a candidate with two files. */
const twoFiles = () =>
  proposal('raise x and reword', [
    { path: 'agent/params.json', search: '"x": 2', replace: '"x": 6' },
    { path: 'agent/prompt.md', search: 'helpful', replace: 'careful' },
  ]);

test('aiai try grades the working tree edits to editable files as a listed candidate, and leaves files, index and branch byte-identical', async () => {
  const dir = agentWorkspace();
  const head = git(dir, 'rev-parse', 'HEAD');
  // A staged edit, then a further edit on top: the working tree's text is the person's.
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a terse agent.\n');
  git(dir, 'add', 'agent/prompt.md');
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a terse, exact agent.\n');
  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 6 }));
  writeFileSync(path.join(dir, 'agent', 'examples.md'), 'a new file of examples\n');
  writeFileSync(path.join(dir, 'notes.txt'), 'my own notes, not the agent\n');
  appendFileSync(path.join(dir, 'eval', 'score.js'), '// a kinder grader\n');
  const before = checkoutState(dir);

  const result = cli(dir, 'try', '--title', 'my edit', '--json');
  assert.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout) as PersonJson;
  assert.equal(out.candidate.status, 'pending');
  assert.equal(out.candidate.proposer, 'person');
  assert.equal(out.candidate.parent, 'baseline');
  assert.equal(out.candidate.delta, 0.4);
  assert.deepEqual(out.leftOut, [
    { path: 'eval/score.js', reason: 'protected' },
    { path: 'notes.txt', reason: 'outside the editable globs' },
  ]);

  assert.deepEqual(checkoutState(dir), before, 'the working tree, the index and the branch are as they were');
  const listed = cliJson<Array<{ id: string; status: string; title: string }>>(dir, 'list');
  assert.deepEqual(listed.map((c) => [c.id, c.status, c.title]), [[out.candidate.id, 'pending', 'my edit']]);

  const record = new Store(dir).candidate(out.candidate.id);
  assert.equal(record.proposer, 'person');
  assert.deepEqual(record.parent, { id: null, commit: head });
  assert.deepEqual(record.changedPaths, ['agent/examples.md', 'agent/params.json', 'agent/prompt.md']);
  assert.equal(git(dir, 'show', `${record.commit}:agent/prompt.md`), 'You are a terse, exact agent.');
  assert.equal(git(dir, 'show', `${record.commit}:eval/score.js`), git(dir, 'show', `${head}:eval/score.js`));
  assert.deepEqual(record.evaluation!.evals.map((e) => `${e.name}:${e.status}`), ['smoke:passed', 'train:passed', 'holdout:passed']);
  const run = new Store(dir).runs().find((r) => r.id === out.run)!;
  assert.equal(run.proposer, 'person');
  assert.equal(run.state, 'finished');
  const audit = read(dir, '.aiai/audit.jsonl').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  const proposed = audit.find((e) => e.event === 'proposal')!;
  assert.equal(proposed.by, 'person via cli');
  assert.equal(proposed.candidate, out.candidate.id);
  assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1, 'the evaluation worktree is gone');
});

test("a person's candidate awaits review whatever its delta; one whose evaluation fails is failed", async () => {
  const dir = agentWorkspace();
  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 1 }));
  const worse = await tryChange(dir, BY);
  assert.equal(worse.candidate!.status, 'pending');
  assert.equal(worse.candidate!.reason, 'no improvement: score 0.2 → 0.1');
  assert.equal(worse.candidate!.objective!.delta, -0.1);
  assert.equal(worse.candidate!.title, "a person's edit of agent/params.json");
  // A proposer learns the grader's verdict, not the status a person's candidate keeps.
  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 2 }));
  const proposer = new ScriptedProposer([paramsStep('raise x to 3', { x: 3 })]);
  await runLoop(dir, { proposer, signal: new AbortController().signal, iterations: 1 });
  assert.equal(proposer.requests[0]?.history.find((a) => a.id === worse.candidate!.id)?.outcome, 'not-improved');

  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 2, crash: true }));
  const crashed = await tryChange(dir, BY);
  assert.equal(crashed.candidate!.status, 'failed');
  assert.match(crashed.candidate!.reason!, /smoke/);
});

test('a candidate made with aiai try is approved over the edits it came from, which stay as they are; other edits still refuse it', async () => {
  const dir = agentWorkspace();
  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 6 }));
  writeFileSync(path.join(dir, 'agent', 'notes.md'), 'a new file of mine\n');
  const { candidate } = await tryChange(dir, BY);
  const id = candidate!.id;

  // The same files, edited further since: approving would overwrite the person's newer edit.
  appendFileSync(path.join(dir, 'agent', 'notes.md'), 'and one more line\n');
  const refused = cli(dir, 'approve', id);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /uncommitted changes \(agent\/notes\.md\)/);
  assert.equal(read(dir, 'agent/notes.md'), 'a new file of mine\nand one more line\n', 'nothing was lost');

  writeFileSync(path.join(dir, 'agent', 'notes.md'), 'a new file of mine\n');
  const approved = cli(dir, 'approve', id);
  assert.equal(approved.code, 0, approved.stderr);
  assert.equal(git(dir, 'log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), id);
  assert.equal(git(dir, 'status', '--porcelain', '--untracked-files=all'), '', 'the working tree is the approved version, with nothing left over');
  assert.equal(read(dir, 'agent/params.json'), params({ x: 6 }));
  assert.equal(read(dir, 'agent/notes.md'), 'a new file of mine\n');
});

test('aiai try refuses when no editable file changed, names what it left out, and records nothing', () => {
  const dir = agentWorkspace();
  writeFileSync(path.join(dir, 'notes.txt'), 'notes\n');
  const before = checkoutState(dir);
  const result = cli(dir, 'try');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /nothing to try: no editable file in the working tree differs from the current version \([0-9a-f]{8}\) \(editable: agent\/\*\*\); left out: notes\.txt \(outside the editable globs\)/);
  assert.deepEqual(checkoutState(dir), before);
  assert.equal(existsSync(path.join(dir, '.aiai', 'runs')), false);
});

test('aiai checkout writes the change into the working tree only, refuses over uncommitted edits to those files, and loses nothing', async () => {
  const { dir, candidates } = await withCandidate([twoFiles]);
  const [c] = candidates;
  const head = git(dir, 'rev-parse', 'HEAD');

  appendFileSync(path.join(dir, 'agent', 'prompt.md'), 'my unfinished thought\n');
  const dirty = checkoutState(dir);
  const refused = cli(dir, 'checkout', c!.id);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`refusing to check out candidate ${c!.id}: the files it would write have uncommitted changes \\(agent/prompt\\.md\\)\\. Commit or stash them first; nothing was changed\\.`));
  assert.deepEqual(checkoutState(dir), dirty, 'nothing was written, not even the file without edits');

  git(dir, 'checkout', '--', 'agent/prompt.md');
  writeFileSync(path.join(dir, 'notes.txt'), 'unrelated work in progress\n');
  const index = checkoutState(dir).index;
  const written = cliJson<{ written: string[]; heldBy: string | null }>(dir, 'checkout', c!.id);
  assert.deepEqual(written, { candidate: c!.id, written: ['agent/params.json', 'agent/prompt.md'], leftOut: [], heldBy: null });
  assert.equal(read(dir, 'agent/prompt.md'), 'You are a careful agent.\n');
  assert.match(read(dir, 'agent/params.json'), /"x": 6/);
  assert.equal(read(dir, 'notes.txt'), 'unrelated work in progress\n');
  assert.equal(checkoutState(dir).index, index, 'the index is untouched');
  assert.equal(git(dir, 'diff', '--cached', '--name-only'), '');
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head);

  const again = cli(dir, 'checkout', c!.id);
  assert.equal(again.code, 0);
  assert.match(again.stdout, new RegExp(`the working tree already holds candidate ${c!.id}'s change; nothing was written`));
});

test('aiai checkout refuses a change that no longer applies to the current version, and says where', async () => {
  const { dir, candidates } = await withCandidate([twoFiles]);
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a helpful, patient agent.\n');
  commitAll(dir, 'the developer rewords the prompt');
  const before = checkoutState(dir);
  await assert.rejects(checkoutCandidate(dir, candidates[0]!.id), /refusing to check out candidate [0-9a-f]+: its change does not apply to the current version, as it conflicts with what the branch changed since [0-9a-f]{8} in agent\/prompt\.md\. Nothing was changed\./);
  assert.deepEqual(checkoutState(dir), before);
});

test('aiai try --parent after aiai checkout grades the edited version as a child of the candidate', async () => {
  const { dir, candidates } = await withCandidate([paramsStep('raise x to 6', { x: 6 })]);
  const [c] = candidates;
  await checkoutCandidate(dir, c!.id);
  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 8 }));
  const before = checkoutState(dir);

  const out = cliJson<PersonJson>(dir, 'try', '--parent', c!.id);
  assert.equal(out.candidate.parent, c!.id);
  assert.equal(out.candidate.status, 'pending');
  assert.equal(out.candidate.delta, 0.2, 'the delta is against the candidate it builds on');
  assert.deepEqual(checkoutState(dir), before);

  const record = new Store(dir).candidate(out.candidate.id);
  assert.deepEqual(record.parent, { id: c!.id, commit: c!.commit });
  assert.equal(git(dir, 'rev-parse', `${record.commit}^`), c!.commit);
  assert.deepEqual(record.edits.map((e) => e.path), ['agent/params.json']);
  assert.match(record.diff, /^-  "x": 2$/m, 'its diff is against the current version');
  assert.match(record.diff, /^\+  "x": 8$/m);
  assert.equal(record.objective!.current, 0.2);
  assert.equal(record.objective!.parent, 0.6);
  const shown = cli(dir, 'show', record.id).stdout;
  assert.match(shown, new RegExp(`lineage    baseline → ${c!.id} → ${record.id}`));
  assert.match(shown, /run +\S+ +proposer person/);

  // Without the person's edits, the working tree holds the candidate as it is: nothing to try.
  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 6 }));
  await assert.rejects(tryChange(dir, { ...BY, parent: c!.id }), new RegExp(`nothing to try: no editable file in the working tree differs from candidate ${c!.id}`));

  // A working tree without the candidate's change undoes it, and the person is told.
  git(dir, 'checkout', '--', 'agent/params.json');
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a brief agent.\n');
  const notices: string[] = [];
  const undone = await tryChange(dir, { ...BY, parent: c!.id, onEvent: (e) => void (e.type === 'notice' && notices.push(e.message)) });
  assert.ok(notices.includes(`the working tree does not hold candidate ${c!.id}'s change (\`aiai checkout ${c!.id}\` writes it there), so this candidate undoes it`), notices.join('\n'));
  assert.deepEqual(undone.candidate!.changedPaths, ['agent/prompt.md']);
  assert.equal(undone.candidate!.objective!.delta, -0.4);
});

test('aiai try --parent refuses a candidate made on another version', async () => {
  const { dir, candidates } = await withCandidate([paramsStep('raise x to 6', { x: 6 })]);
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a helpful agent. Be brief.\n');
  commitAll(dir, 'the developer moves on');
  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 7 }));
  await assert.rejects(tryChange(dir, { ...BY, parent: candidates[0]!.id }), /was made on [0-9a-f]{8}, and the branch is at [0-9a-f]{8} now; try without --parent/);
});

test('aiai derive --only PATH makes a graded candidate that touches only PATH, and approving it commits only PATH', async () => {
  const { dir, candidates } = await withCandidate([twoFiles]);
  const [c] = candidates;
  const head = git(dir, 'rev-parse', 'HEAD');

  const out = cliJson<PersonJson>(dir, 'derive', c!.id, '--only', './agent/prompt.md');
  assert.equal(out.candidate.derivedFrom, c!.id);
  assert.equal(out.candidate.status, 'pending', 'a rewording that keeps the score awaits review all the same');
  assert.equal(out.candidate.delta, 0);
  const record = new Store(dir).candidate(out.candidate.id);
  assert.deepEqual(record.changedPaths, ['agent/prompt.md']);
  assert.deepEqual(record.parent, { id: null, commit: head });
  assert.equal(record.derivedFrom, c!.id);
  assert.match(record.title, /raise x and reword \(only agent\/prompt\.md\)/);
  assert.ok(record.evaluation?.ok, 'it was graded');
  assert.match(cli(dir, 'show', record.id).stdout, new RegExp(`lineage    baseline → ${record.id}   \\(part of candidate ${c!.id}\\)`));

  const approved = cli(dir, 'approve', record.id);
  assert.equal(approved.code, 0, approved.stderr);
  assert.equal(git(dir, 'diff-tree', '--no-commit-id', '--name-only', '-r', 'HEAD'), 'agent/prompt.md');
  assert.equal(git(dir, 'rev-parse', 'HEAD~1'), head);
  assert.equal(read(dir, 'agent/prompt.md'), 'You are a careful agent.\n');
  assert.match(read(dir, 'agent/params.json'), /"x": 2/);

  // The other file can still be taken, onto the version that now holds the first.
  const rest = await deriveCandidate(dir, c!.id, [{ path: 'agent/params.json' }], BY);
  assert.deepEqual(rest.candidate!.changedPaths, ['agent/params.json']);
  assert.equal(rest.candidate!.status, 'pending');
});

test('aiai derive refuses a path the candidate does not change, naming those it does', async () => {
  const { dir, candidates } = await withCandidate([paramsStep('raise x to 6', { x: 6 })]);
  const result = cli(dir, 'derive', candidates[0]!.id, '--only', 'agent/prompt.md');
  assert.equal(result.code, 2);
  assert.match(result.stderr, new RegExp(`candidate ${candidates[0]!.id} does not change "agent/prompt.md"; it changes agent/params.json`));
  assert.equal(new Store(dir).candidates().length, 1);
});

test('a derived candidate can keep some hunks of a file: the numbering is the per-file diff of the candidate', async () => {
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
  const prompt = `${lines.join('\n')}\n`;
  const { dir, candidates } = await withCandidate(
    [() => proposal('two rewordings', [{ path: 'agent/prompt.md', search: 'line 2\n', replace: 'line two\n' }, { path: 'agent/prompt.md', search: 'line 28\n', replace: 'line twenty-eight\nline 28b\n' }])],
    { files: { 'agent/prompt.md': prompt } },
  );
  const [c] = candidates;
  const files = await candidateHunks(dir, c!.id);
  assert.deepEqual(files.map((f) => [f.path, f.hunks.map((h) => h.header)]), [['agent/prompt.md', ['@@ -1,5 +1,5 @@', '@@ -25,6 +25,7 @@ line 24']]]);

  const second = await deriveCandidate(dir, c!.id, [{ path: 'agent/prompt.md', hunks: [2] }], { ...BY, title: 'only the end' });
  const record = second.candidate!;
  assert.equal(record.title, 'only the end');
  assert.equal(record.derivedFrom, c!.id);
  assert.equal(record.status, 'pending');
  assert.equal(git(dir, 'show', `${record.commit}:agent/prompt.md`), prompt.replace('line 28\n', 'line twenty-eight\nline 28b\n').trimEnd());
  assert.deepEqual(record.changedPaths, ['agent/prompt.md']);

  const first = await deriveCandidate(dir, c!.id, [{ path: 'agent/prompt.md', hunks: [1] }], BY);
  assert.equal(git(dir, 'show', `${first.candidate!.commit}:agent/prompt.md`), prompt.replace('line 2\n', 'line two\n').trimEnd());
  await assert.rejects(deriveCandidate(dir, c!.id, [{ path: 'agent/prompt.md', hunks: [3] }], BY), /"agent\/prompt\.md" of candidate [0-9a-f]+ has hunks 1 to 2; there is no hunk 3/);
});

test('aiai try stopped by Ctrl-C records nothing, leaves no ref or worktree, and exits 130', async () => {
  // Without the sandbox, so the eval can say where it blocks.
  const dir = agentWorkspace({ config: { sandbox: { mode: 'off' } } });
  const blockFile = path.join(tempDir(), 'eval.pid');
  writeFileSync(path.join(dir, 'agent', 'params.json'), params({ x: 6, block: blockFile }));
  const before = checkoutState(dir);
  const child = cliProcess(dir, 'try');
  await waitForFile(blockFile);
  child.kill('SIGINT');
  assert.equal(await exited(child), 130);
  assert.deepEqual(new Store(dir).candidates(), []);
  assert.equal(new Store(dir).runs()[0]!.state, 'interrupted');
  assert.equal(git(dir, 'for-each-ref', 'refs/aiai/'), '');
  assert.equal(git(dir, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length, 1);
  assert.deepEqual(checkoutState(dir), before);
});
