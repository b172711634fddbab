/**
 * The person as co-author, in the real extension host: Evaluate My Changes, Edit in
 * Workspace and Evaluate Selection, each as the person reaches it (the palette, the
 * review panel's buttons). Registered inside the main suite, which activates the
 * extension and seeds the workspace once.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { it } from 'mocha';
import * as vscode from 'vscode';
import type { AiaiApi } from '../../../src/extension/extension';
import { cli, firstPending, git, nextSnapshot, openPanel, pendingIds, runsDir, workspace, type WorkspaceStates } from './host';

/** agent/guide.md as committed (see extensionHost.test.ts): twenty lines, so that edits to lines 2 and 19 are two hunks. */
const GUIDE = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);

function file(name: string): string {
  return path.join(workspace(), name);
}

/** The guide with some of its lines rewritten by hand. */
function editGuide(...lines: number[]): void {
  writeFileSync(file('agent/guide.md'), `${GUIDE.map((l, i) => (lines.includes(i + 1) ? `${l} by hand` : l)).join('\n')}\n`);
}

/** A candidate's record as `aiai show --json` prints it. */
function record(id: string): { proposer: string; commit: string; parent: { id: string | null }; derivedFrom?: string } {
  return JSON.parse(cli('show', id, '--json')) as ReturnType<typeof record>;
}

/**
 * What the person has that aiai must leave as it was: the branch, the index (its bytes,
 * and what it stages), the untracked files and the files' content. Read with plumbing
 * only: `git status` may rewrite the index to refresh it.
 */
function personsState(...files: string[]): Record<string, string> {
  return {
    head: git('rev-parse', 'HEAD'),
    branch: git('symbolic-ref', 'HEAD'),
    index: readFileSync(path.join(workspace(), '.git', 'index')).toString('base64'),
    staged: git('ls-files', '--stage'),
    untracked: git('ls-files', '--others', '--exclude-standard'),
    ...Object.fromEntries(files.map((f) => [f, readFileSync(file(f), 'utf8')])),
  };
}

export function coauthorTests(context: () => { api: AiaiApi; states: WorkspaceStates }): void {
  it('Evaluate My Changes grades the person\'s edits as a candidate by person, opens it in the panel, and leaves their files, index and branch as they were', async () => {
    const { api, states } = context();
    await states.use('empty');
    editGuide(2);
    git('add', 'agent/guide.md');
    editGuide(2, 19); // staged in part: the index and the working tree differ
    writeFileSync(file('agent/params.json'), '{\n  "x": 7\n}\n');
    writeFileSync(file('agent/notes.md'), 'a new file\n');
    writeFileSync(file('eval/score.js'), `${readFileSync(file('eval/score.js'), 'utf8')}// a kinder grader\n`);
    const touched = ['agent/guide.md', 'agent/params.json', 'agent/notes.md', 'eval/score.js'];
    const before = personsState(...touched);

    const shown = nextSnapshot(api, (s) => s.review.proposer === 'person');
    await vscode.commands.executeCommand('aiai.evaluateMyChanges');
    const { review, outcome } = await shown;
    assert.deepEqual(personsState(...touched), before, 'the branch, the index, the files and their status are as they were');

    assert.equal(review.status, 'pending', 'a person\'s candidate awaits review whatever its delta');
    assert.equal(review.parent, null, 'built on the current version');
    assert.deepEqual([...review.changedPaths].sort(), ['agent/guide.md', 'agent/notes.md', 'agent/params.json'], 'the editable files, the new one too');
    assert.match(review.diff, /^\+line 2 by hand$/m);
    assert.match(review.diff, /^\+line 19 by hand$/m, 'the working tree\'s content, not the index\'s');
    assert.equal(review.objective?.value, 0.7, 'graded: the eval read the edited params');
    assert.match(outcome?.message ?? '', new RegExp(`^Your change, graded on the current version, is candidate ${review.id}: it awaits your review \\(score \\+0\\.5\\)\\.`));
    assert.match(outcome?.message ?? '', /Left out: eval\/score\.js \(protected\)/, 'the file it did not take is named');
    assert.ok(pendingIds().includes(review.id), 'listed, awaiting review');
    assert.equal(record(review.id).proposer, 'person');
  });

  it('Edit in Workspace refuses over uncommitted edits and loses none; then writes the change and opens it, and Evaluate My Changes grades on it as the parent', async () => {
    const { api, states } = context();
    await states.use('seeded');
    const id = firstPending();
    const params = file('agent/params.json');
    const mine = '{\n  "x": 3,\n  "mine": "not to be lost"\n}\n';
    writeFileSync(params, mine);
    await openPanel(api, id);

    const refused = nextSnapshot(api, (s) => s.outcome !== undefined);
    await api.review.receive({ type: 'editInWorkspace', seq: 1, id });
    const r = await refused;
    assert.equal(r.outcome?.level, 'error');
    assert.match(r.outcome?.message ?? '', new RegExp(`^refusing to check out candidate ${id}: the files it would write have uncommitted changes \\(agent/params\\.json\\)`));
    assert.equal(r.review.id, id, 'the panel stays on the candidate');
    assert.equal(readFileSync(params, 'utf8'), mine, 'the person\'s edit is as they left it');
    assert.equal(r.coauthoring.checkedOut, false);

    git('checkout', '--', 'agent/params.json');
    const wrote = nextSnapshot(api, (s) => s.outcome?.level === 'info');
    await api.review.receive({ type: 'editInWorkspace', seq: 2, id });
    const w = await wrote;
    assert.match(w.outcome?.message ?? '', new RegExp(`^Wrote candidate ${id}'s change into agent/params\\.json \\(not staged, not committed\\)\\. Edit it, then run “AIAI: Evaluate My Changes” to grade your version on candidate ${id}\\.$`));
    assert.equal(git('hash-object', 'agent/params.json'), git('rev-parse', `${record(id).commit}:agent/params.json`), 'the candidate\'s content, in the working tree');
    assert.equal(git('diff', '--cached', '--name-only'), '', 'nothing staged');
    assert.equal(git('rev-parse', 'HEAD'), states.baseline);
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === params), 'the file is open to edit');
    assert.equal(w.coauthoring.checkedOut, true, 'the panel says the working tree holds it');

    // The person edits on top of it, then asks for a grade.
    editGuide(5);
    const graded = nextSnapshot(api, (s) => s.review.proposer === 'person');
    await vscode.commands.executeCommand('aiai.evaluateMyChanges');
    const g = await graded;
    assert.equal(g.review.parent, id, 'its parent is the candidate checked out');
    assert.equal(g.review.lineage.at(-1), id);
    assert.deepEqual([...g.review.changedPaths].sort(), ['agent/guide.md', 'agent/params.json'], 'the candidate\'s change and the person\'s edit');
    assert.match(g.outcome?.message ?? '', new RegExp(`^Your change, graded on candidate ${id}, is candidate ${g.review.id}: it awaits your review`));
    assert.equal(record(g.review.id).parent.id, id);

    // Once the working tree no longer holds the candidate, it is forgotten.
    git('checkout', '--', 'agent/params.json');
    const again = nextSnapshot(api, (s) => s.review.proposer === 'person' && s.review.id !== g.review.id);
    await vscode.commands.executeCommand('aiai.evaluateMyChanges');
    const a = await again;
    assert.equal(a.review.parent, null);
    assert.match(a.outcome?.message ?? '', /^Your change, graded on the current version, is candidate/);
  });

  it('Evaluate Selection of one hunk makes a graded candidate whose change is only that hunk, and its review names the candidate it is part of', async () => {
    const { api, states } = context();
    await states.use('empty');
    editGuide(2, 19);
    writeFileSync(file('agent/params.json'), '{\n  "x": 5\n}\n');
    cli('try', '--title', 'two hunks and a parameter');
    const [made] = pendingIds();
    assert.ok(made);
    git('checkout', '--', '.');

    const snapshot = await openPanel(api, made);
    const guide = snapshot.coauthoring.files.find((f) => f.path === 'agent/guide.md');
    assert.deepEqual(guide?.hunks.map((h) => h.number), [1, 2], 'numbered as the engine numbers them');
    assert.match(guide?.hunks[0]?.header ?? '', /^@@ -1,5 \+1,5 @@/, 'each with its @@ line');
    assert.match(guide?.hunks[1]?.header ?? '', /^@@ -16,5 \+16,5 @@/);
    assert.deepEqual(guide?.hunks[1]?.lines, [' line 18', '-line 19', '+line 19 by hand', ' line 20'], 'and its lines from just before its change');
    assert.deepEqual(snapshot.coauthoring.files.find((f) => f.path === 'agent/params.json')?.hunks.length, 1);
    assert.equal(snapshot.coauthoring.cannotEvaluate, undefined);

    const derived = nextSnapshot(api, (s) => s.review.derivedFrom === made);
    await api.review.receive({ type: 'evaluateSelection', seq: 3, id: made, files: [{ path: 'agent/guide.md', hunks: [2] }] });
    const d = await derived;
    assert.deepEqual(d.review.changedPaths, ['agent/guide.md']);
    assert.equal(d.review.diff.match(/^@@ /gm)?.length, 1, 'one hunk');
    assert.match(d.review.diff, /^\+line 19 by hand$/m);
    assert.doesNotMatch(d.review.diff, /line 2 by hand/);
    assert.equal(d.review.status, 'pending');
    assert.equal(d.review.proposer, 'person');
    assert.ok(d.review.objective, 'graded');
    assert.match(d.outcome?.message ?? '', new RegExp(`^Part of candidate ${made} is candidate ${d.review.id}: it awaits your review`));
    assert.equal(record(d.review.id).derivedFrom, made);
    assert.equal(git('status', '--porcelain'), '', 'the working tree is left alone');
    assert.equal(git('rev-parse', 'HEAD'), states.baseline);
  });

  it('while the loop runs, the panel says Evaluate Selection must wait, and refuses it', async () => {
    const { api, states } = context();
    await states.use('seeded');
    const id = firstPending();
    // The current version's train eval blocks until stopped, so the loop is surely running.
    writeFileSync(file('agent/params.json'), JSON.stringify({ x: 2, block: path.join(os.tmpdir(), `aiai-blocked-${process.pid}`) }));
    git('commit', '-qam', 'an eval that blocks');
    await openPanel(api, id);

    const waiting = nextSnapshot(api, (s) => s.coauthoring.cannotEvaluate !== undefined);
    const loop = vscode.commands.executeCommand('aiai.start');
    try {
      assert.equal((await waiting).coauthoring.cannotEvaluate, 'A run is going on; evaluate once it is done.');
      const refused = nextSnapshot(api, (s) => s.outcome?.level === 'error');
      await api.review.receive({ type: 'evaluateSelection', seq: 4, id, files: [{ path: 'agent/params.json' }] });
      assert.match((await refused).outcome?.message ?? '', /^a run is going on in this window; grade part of candidate \w+ once it is done, or stop it$/);
    } finally {
      await vscode.commands.executeCommand('aiai.stop');
      await loop;
    }
    const personRuns = readdirSync(runsDir(), { withFileTypes: true })
      .filter((d) => d.isDirectory() && (JSON.parse(readFileSync(path.join(runsDir(), d.name, 'run.json'), 'utf8')) as { person?: boolean }).person)
      .map((d) => d.name);
    assert.deepEqual(personRuns, [], 'nothing was graded');
  });
}
