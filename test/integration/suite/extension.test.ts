import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { AiaiApi } from '../../../src/extension/extension';
import { coauthorTests } from './coauthor';
import {
  addOlderRuns,
  answeringInput,
  answeringWarnings,
  cli,
  editRecord,
  extension,
  firstPending,
  git,
  itemsOf,
  label,
  listed,
  newestRun,
  nextSnapshot,
  openPanel,
  parentsOf,
  pendingIds,
  recordMetric,
  reviewColumn,
  reviewMovedTo,
  runsDir,
  watchingChildren,
  workspace,
  WorkspaceStates,
} from './host';

describe('AIAI in a VS Code extension host', () => {
  let api: AiaiApi;
  let activeBeforeUse: boolean;
  let states: WorkspaceStates;

  before(async () => {
    activeBeforeUse = extension().isActive;
    api = await extension().activate();
    const { activateMs, loadMs } = activationTimes();
    recordMetric('activationMs', activateMs);
    recordMetric('codeLoadMs', loadMs);
    states = new WorkspaceStates();
    await states.seed();
  });

  after(() => states.dispose());

  it('is activated by VS Code itself in a workspace with .aiai/config.json, before any command or view is used', () => {
    assert.equal(activeBeforeUse, true);
  });

  it('contributes every command to the palette under the AIAI category', async () => {
    const contributed = extension().packageJSON.contributes.commands as Array<{ command: string; category: string; title: string }>;
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of contributed) {
      assert.equal(c.category, 'AIAI');
      assert.ok(registered.has(c.command), `${c.command} is registered`);
    }
    const titles = contributed.map((c) => c.title);
    for (const title of ['Initialize Workspace', 'Start Improvement Loop', 'Stop Improvement Loop', 'Open Review Panel', 'Approve Candidate', 'Reject Candidate', 'Roll Back to Version', 'Set Anthropic API Key', 'Show Log', 'Evaluate My Changes', 'Edit in Workspace']) {
      assert.ok(titles.includes(title), title);
    }
  });

  it('Start Improvement Loop runs the loop, and the Candidates view shows its run, expanded, the review queue first, oldest first', async () => {
    await states.use('empty');
    assert.deepEqual(await itemsOf(api.candidates), [], 'no rows: the welcome view shows instead');
    await vscode.commands.executeCommand('aiai.start');
    assert.equal(git('rev-parse', 'HEAD'), states.baseline, 'the loop did not touch the branch');
    assert.equal(git('status', '--porcelain'), '');
    const runs = await itemsOf(api.candidates);
    assert.equal(runs.length, 1, 'one row: the run');
    const queue = pendingIds();
    assert.ok(queue.length > 0, 'the run left a candidate to review');
    const run = runs[0]?.item;
    assert.match(label(run ?? {}), new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d · ${listed().length} candidates, ${queue.length} awaiting review$`));
    assert.equal(run?.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    const candidates = await newestRun(api);
    assert.deepEqual(candidates.slice(0, queue.length).map((c) => c.item.id), queue);
    assert.ok(candidates.slice(queue.length).every((c) => c.item.contextValue !== 'candidate.pending'), 'the decided ones follow');
    assert.match(String(candidates[0]?.item.description), /^score \+0\.\d+/);
    assert.equal(candidates[0]?.item.contextValue, 'candidate.pending', 'it offers the inline Approve and Reject');
    assert.equal(candidates[0]?.item.command?.command, 'aiai.openReview');
  });

  it('the review panel shows the candidate once its own webview has loaded and said ready', async () => {
    await states.use('seeded');
    const id = firstPending();
    const snapshot = await openPanel(api, id);
    assert.equal(snapshot.review.id, id);
    assert.equal(snapshot.canDecide, true);
    assert.ok(snapshot.review.metrics.some((m) => m.objective && m.delta !== null && m.delta > 0));
    assert.match(snapshot.review.diff, /^diff --git a\/agent\/params\.json/m);
    assert.deepEqual(snapshot.review.lineage, [], 'a candidate of the first generation grew from the baseline');
    assert.equal(snapshot.review.parent, null);
    assert.deepEqual(snapshot.pending.map((p) => p.id), pendingIds(), 'the queue, oldest first');
    assert.ok(snapshot.run.points.some((p) => p.id === id), 'the run picture holds the candidate');
    assert.equal(snapshot.run.metric, 'score');
    assert.equal(snapshot.review.conversation, undefined, 'parameter search has no conversation to show');
    assert.equal(snapshot.review.model, undefined);
    assert.deepEqual(snapshot.run.models, [], 'no model proposed in this run');
    assert.equal(snapshot.lessons, undefined, 'the workspace has no lessons yet');
    assert.deepEqual(snapshot.trends?.versions.map((v) => v.version), ['v0'], 'the trend starts at the baseline');
    assert.equal(snapshot.trends?.versions[0]?.value, 0.2, 'the baseline as the run measured it');
    assert.deepEqual(snapshot.trends.runs.map((r) => [r.candidates, r.costUsd]), [[listed().length, 0]], 'the one run: its candidates, and no model to pay');
    const evaluated = listed().filter((c) => c.status !== 'refused').length;
    assert.equal(snapshot.trends.runs[0]?.evaluations, 1 + evaluated, 'the baseline and every evaluated candidate');

    const last = pendingIds().at(-1);
    assert.ok(last && last !== id);
    const navigated = nextSnapshot(api, (s) => s.review.id === last);
    await api.review.receive({ type: 'navigate', id: last });
    const later = await navigated;
    assert.ok(later.review.lineage.length > 0, 'a later candidate grew from earlier ones');
    assert.deepEqual(later.review.lineage, parentsOf(last), 'its lineage, oldest first, as the records say');
  });

  it('the review opens beside the editor, comes back where the person moved it, and over the editor when the setting says so', async () => {
    await states.use('seeded');
    const id = firstPending();
    const file = (name: string): vscode.Uri => vscode.Uri.file(path.join(workspace(), name));
    // Code in two editor groups, the second one active, as a person works.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.window.showTextDocument(file('agent/params.json'), { viewColumn: vscode.ViewColumn.One });
    await vscode.window.showTextDocument(file('eval/score.js'), { viewColumn: vscode.ViewColumn.Two });
    const closeReview = async (): Promise<void> => {
      const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('aiai.review'));
      if (tab) await vscode.window.tabGroups.close(tab);
    };

    await openPanel(api, id);
    assert.equal(reviewColumn(), vscode.ViewColumn.Three, 'beside the active editor, not over it');
    assert.equal(vscode.window.tabGroups.all.find((g) => g.viewColumn === vscode.ViewColumn.Two)?.activeTab?.label, 'score.js', 'the code stays in view');

    // As a person drags it: the panel to the first group.
    const moved = reviewMovedTo(vscode.ViewColumn.One);
    await vscode.commands.executeCommand('workbench.action.focusThirdEditorGroup');
    await vscode.commands.executeCommand('workbench.action.moveEditorToFirstGroup');
    await moved;
    await closeReview();
    await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
    await openPanel(api, id);
    assert.equal(reviewColumn(), vscode.ViewColumn.One, 'where the person moved it');

    await closeReview();
    await vscode.workspace.getConfiguration().update('aiai.review.position', 'active', vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
      await openPanel(api, id);
      assert.equal(reviewColumn(), vscode.ViewColumn.Two, 'over the active editor, as the setting says');
    } finally {
      await vscode.workspace.getConfiguration().update('aiai.review.position', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('the panel shows how a candidate got here, its model, the run per model, and the lessons, which Edit opens', async () => {
    await states.use('seeded');
    const id = firstPending();
    const conversation = [
      { tool: 'show_failures', input: { page: 1 }, result: 'case t-3: expected "urgent", got "normal"', isError: false },
      { tool: 'read_file', input: { path: '.env' }, result: '.env is protected: the model may not read it', isError: true },
      { tool: 'submit_change', input: { title: 'lower the threshold', rationale: 'urgent cases scored 0.45' }, result: 'submitted', isError: false },
    ];
    const usage = { inputTokens: 1200, outputTokens: 300, cacheCreationTokens: 800, cacheReadTokens: 5000, costUsd: 0.0123 };
    editRecord(id, (record) => Object.assign(record, { model: 'claude-test-fast', conversation, usage }));
    const lessons = '- Worked: a lower urgency threshold.\n- Did not work: longer prompts.\n- Try next: the keyword list.';
    writeFileSync(path.join(workspace(), '.aiai', 'lessons.md'), `${lessons}\n`);

    const snapshot = await openPanel(api, id);
    assert.equal(snapshot.review.model, 'claude-test-fast');
    assert.deepEqual(
      snapshot.review.conversation,
      conversation.map((step) => ({ ...step, input: JSON.stringify(step.input) })),
      'each tool call in order, its input as JSON text, the failed one marked',
    );
    assert.deepEqual(snapshot.run.models, [{ model: 'claude-test-fast', proposals: 1, improvements: 1, usage }], 'only the candidate with a model is counted, and it improved');
    assert.deepEqual(snapshot.lessons, { file: path.join('.aiai', 'lessons.md'), text: lessons });

    await api.review.receive({ type: 'openLessons', seq: 1 });
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(workspace(), '.aiai', 'lessons.md'), 'Edit opens the lessons file');
  });

  it('drops messages that do not match the protocol, and refuses a wrong content hash, saying why in the panel', async () => {
    await states.use('seeded');
    const id = firstPending();
    await openPanel(api, id);
    await api.review.receive({ type: 'approve', id });
    await api.review.receive({ type: 'approve', id: 7, contentHash: 'x' });
    await api.review.receive('approve');
    assert.equal(git('rev-parse', 'HEAD'), states.baseline);
    const refused = nextSnapshot(api, (s) => s.outcome !== undefined);
    await api.review.receive({ type: 'approve', seq: 2, id, contentHash: '0'.repeat(40) });
    const { outcome, review } = await refused;
    assert.equal(outcome?.level, 'error');
    assert.match(outcome?.message ?? '', /not the reviewed/);
    assert.equal(review.id, id, 'the panel stays on the candidate');
    assert.equal(git('rev-parse', 'HEAD'), states.baseline);
  });

  it('Open in Diff Editor that fails says so in the panel instead of failing silently', async () => {
    await states.use('seeded');
    const id = firstPending();
    await openPanel(api, id);
    const failed = nextSnapshot(api, (s) => s.outcome !== undefined);
    await api.review.receive({ type: 'openDiff', seq: 3, id: 'ffffffff' });
    const { outcome } = await failed;
    assert.equal(outcome?.level, 'error');
    assert.match(outcome?.message ?? '', /no candidate "ffffffff"/);
  });

  it('a candidate rejected with the CLI shows as rejected here: one store', async () => {
    await states.use('seeded');
    const last = pendingIds().at(-1);
    assert.ok(last);
    cli('reject', last, '--reason', 'tried from the terminal');
    const row = (await newestRun(api)).find((r) => r.item.id === last);
    assert.equal(row?.item.contextValue, 'candidate.rejected');
    const [run] = await itemsOf(api.candidates);
    assert.match(label(run?.item ?? {}), new RegExp(`, ${pendingIds().length} awaiting review$`));
  });

  it('the inline Approve and Reject of a row act on its candidate, not on the one the panel shows', async () => {
    await states.use('seeded');
    const [shown, toReject, toApprove] = rejectableApart(pendingIds());
    assert.ok(shown && toReject && toApprove, 'three candidates await review');
    await openPanel(api, shown);
    const rows = await newestRun(api);
    const rowOf = (id: string): unknown => rows.find((r) => r.item.id === id && r.item.contextValue === 'candidate.pending')?.node;
    await answeringInput('not this one', () => vscode.commands.executeCommand('aiai.reject', rowOf(toReject)));
    await vscode.commands.executeCommand('aiai.approve', rowOf(toApprove));
    const status = new Map(listed().map((c) => [c.id, c.status]));
    assert.deepEqual([status.get(toReject), status.get(toApprove)], ['rejected', 'approved']);
    // The one shown was not decided on: it awaits review, or the approval superseded it (it grew into it, or no longer applies).
    const after = listed().find((c) => c.id === shown) as { status: string; reason?: string | null } | undefined;
    assert.ok(after?.status === 'pending' || (after?.status === 'superseded' && after.reason?.includes(`superseded by ${toApprove}`)), JSON.stringify(after));
    assert.equal(git('log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), toApprove);
    assert.equal((await newestRun(api)).find((r) => r.item.id === toReject)?.item.contextValue, 'candidate.rejected');
  });

  it('a store of many runs shows one row per run, newest first, and lists the candidates only of the runs shown expanded', async () => {
    await states.use('seeded');
    const seeded = readdirSync(runsDir(), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    const older = addOlderRuns(40, 7, 12);
    const rows = await itemsOf(api.candidates);
    assert.deepEqual(rows.map((r) => r.item.id), [...seeded, ...[...older].reverse()].map((id) => `run:${id}`), 'one row per run, newest first');
    const expanded = rows.filter((r) => r.item.collapsibleState === vscode.TreeItemCollapsibleState.Expanded).map((r) => r.item.id);
    assert.deepEqual(expanded, [`run:${seeded[0]}`, `run:${older[7]}`], 'the newest run and the older one with a candidate awaiting review');
    assert.match(label(rows.find((r) => r.item.id === `run:${older[7]}`)?.item ?? {}), /^2020-01-01 00:00 · \d+ candidates, 1 awaiting review$/);
    const damagedRun = rows.find((r) => r.item.id === `run:${older[12]}`);
    assert.equal(damagedRun?.item.description, '1 damaged record');
    const damaged = (await itemsOf(api.candidates, damagedRun?.node)).find((r) => label(r.item) === 'dddddddd');
    assert.match(String(damaged?.item.tooltip), new RegExp(`cannot be read[^]*${path.join(older[12] ?? '', 'candidates', 'dddddddd.json').replace(/[.]/g, '\\.')}$`), 'the damaged record is shown with its file');

    // The view as VS Code draws it: it asks for the root and for the expanded runs only.
    const watch = watchingChildren(api);
    try {
      const drawn = (asked: string[]): boolean => asked.includes('') && asked.includes(seeded[0] ?? '') && asked.includes(older[7] ?? '');
      await vscode.commands.executeCommand('aiai.candidates.focus');
      await watch.until(drawn);
      // A refresh draws it again; any request for a folded run's children would have come before.
      const before = watch.asked.length;
      await vscode.commands.executeCommand('aiai.refresh');
      await watch.until((asked) => drawn(asked.slice(before)));
      assert.deepEqual([...new Set(watch.asked)].sort(), ['', seeded[0], older[7]].sort(), 'no folded run was asked for its candidates');
      recordMetric('candidatesRootMs', Math.round(Math.max(...watch.rootMs) * 10) / 10);
    } finally {
      watch.dispose();
    }
  });

  it('Approve in the panel commits the candidate, shows what it did, and moves on to the next in the queue', async () => {
    await states.use('seeded');
    const [id, next] = pendingIds();
    assert.ok(id && next, 'two candidates await review');
    const shown = await openPanel(api, id);
    const { contentHash } = shown.review;
    assert.ok(contentHash);
    const done = nextSnapshot(api, (s) => s.outcome !== undefined);
    await api.review.receive({ type: 'approve', seq: 4, id, contentHash });
    const after = await done;
    assert.equal(after.outcome?.level, 'info');
    assert.ok(after.outcome?.message.startsWith(`Approved ${id}`), after.outcome?.message);
    assert.equal(after.review.id, next);
    assert.equal(git('rev-parse', 'HEAD~1'), states.baseline);
    assert.equal(git('log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), id);
    const versions = await itemsOf(api.versions);
    assert.match(versions.map((v) => label(v.item)).join('\n'), /^v1 · score 0\.\d+\nv0 · score 0\.2$/);
  });

  it('Roll Back to This Version asks first, and changes nothing when the person declines', async () => {
    await states.use('seeded');
    cli('approve', firstPending());
    const head = git('rev-parse', 'HEAD');
    const v0 = (await itemsOf(api.versions))[1];
    assert.ok(v0);
    const { asked } = await answeringWarnings(undefined, () => vscode.commands.executeCommand('aiai.rollbackToVersion', v0.node));
    assert.equal(asked.length, 1);
    assert.match(asked[0] ?? '', /^Roll back to v0\?$/);
    assert.equal(git('rev-parse', 'HEAD'), head);
    assert.equal(git('status', '--porcelain'), '');
  });

  it('Roll Back to This Version, confirmed, restores the editable files in a new commit and the Versions view shows it', async () => {
    await states.use('seeded');
    const params = path.join(workspace(), 'agent', 'params.json');
    const atBaseline = readFileSync(params, 'utf8');
    cli('approve', firstPending());
    const approved = git('rev-parse', 'HEAD');
    assert.notEqual(readFileSync(params, 'utf8'), atBaseline, 'the approval changed the agent');
    const v0 = (await itemsOf(api.versions))[1];
    assert.ok(v0);
    await answeringWarnings('Roll Back', () => vscode.commands.executeCommand('aiai.rollbackToVersion', v0.node));
    assert.equal(readFileSync(params, 'utf8'), atBaseline, 'the editable files are as they were at v0');
    assert.equal(git('rev-parse', 'HEAD~1'), approved, 'the rollback is a new commit after the approval');
    assert.match(git('log', '-1', '--format=%B'), new RegExp(`^Aiai-Rollback: v0 ${states.baseline}$`, 'm'));
    assert.equal(git('status', '--porcelain'), '');
    const versions = await itemsOf(api.versions);
    assert.match(versions.map((v) => label(v.item)).join('\n'), /^v2 · score 0\.2\nv1 · score 0\.\d+\nv0 · score 0\.2$/, 'v2 is new, and measures as v0 did');
  });

  it('Compare with Current opens the native diff editor on the editable files', async () => {
    await states.use('seeded');
    cli('approve', firstPending());
    const v0 = (await itemsOf(api.versions))[1];
    assert.ok(v0);
    await vscode.commands.executeCommand('aiai.compareWithCurrent', v0.node);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.match(tab?.label ?? '', /AIAI v0 ↔ current/);
  });

  coauthorTests(() => ({ api, states }));
});

/**
 * What activating the extension cost, as VS Code measured it when the window opened
 * (before any test ran): its activate() call, and loading its code before it, from the
 * marks that Developer: Show Running Extensions reads. Not the time between the two,
 * when the host loads the other extensions that start with the window.
 */
function activationTimes(): { activateMs: number; loadMs: number } {
  const perf = (globalThis as { MonacoPerformanceMarks?: { getMarks(): Array<{ name: string; startTime: number }> } }).MonacoPerformanceMarks;
  const at = (mark: string): number => {
    const found = perf?.getMarks().find((m) => m.name === `code/extHost/${mark}/${extension().id}`);
    if (!found) throw new Error(`VS Code kept no mark ${mark} of the extension's activation`);
    return found.startTime;
  };
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  return { activateMs: round(at('didActivateExtension') - at('willActivateExtension')), loadMs: round(at('didLoadExtensionCode') - at('willLoadExtensionCode')) };
}

/**
 * Three pending candidates: one to show, one to reject and one to approve that did
 * not grow from the rejected one (an approval never deploys a step a person rejected).
 */
function rejectableApart(pending: string[]): string[] {
  const [shown, ...rest] = pending;
  for (const toReject of rest) {
    const toApprove = rest.find((id) => id !== toReject && !parentsOf(id).includes(toReject));
    if (shown && toApprove) return [shown, toReject, toApprove];
  }
  return [];
}
