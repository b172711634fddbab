import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { AiaiApi } from '../../../src/extension/extension';
import { extension, git, itemsOf, label, newestRun, openPanel, runsDir, workspace } from './host';

/**
 * A window opened in restricted mode on a workspace a person has used: one candidate
 * approved (v1) and two awaiting review, recorded before the window opened (see
 * extensionHost.test.ts). Nothing here makes the workspace trusted.
 */
describe('AIAI in a workspace that is not trusted', () => {
  let api: AiaiApi;
  let activeBeforeUse: boolean;

  before(async () => {
    activeBeforeUse = extension().isActive;
    api = await extension().activate();
  });

  it('is active as the window opens, and the status bar says how many candidates await review', async () => {
    assert.equal(activeBeforeUse, true, 'no command or view was used');
    await api.status.shown;
    assert.equal(pendingIds().length, 2);
    assert.match(api.status.text, /AIAI: 2 awaiting review$/);
  });

  it('is in restricted mode, and Start Improvement Loop refuses, saying why, and runs nothing', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const before = unchanged();
    const { told, asked } = await watchingThePerson(() => vscode.commands.executeCommand('aiai.start'));
    assert.match(told.join('\n'), /this workspace is not trusted, so aiai will not run its evaluation commands/);
    assert.deepEqual(asked, []);
    before.assertSame();
    assert.doesNotMatch(api.status.text, /running/);
  });

  it('Approve Candidate refuses, from a row and from the palette, before asking which one, and commits nothing', async () => {
    const before = unchanged();
    const [row] = (await newestRun(api)).filter((r) => r.item.contextValue === 'candidate.pending');
    assert.ok(row, 'the Candidates view offers a candidate to approve');
    for (const target of [row.node, undefined]) {
      const { told, asked } = await watchingThePerson(() => vscode.commands.executeCommand('aiai.approve', target));
      assert.match(told.join('\n'), /this workspace is not trusted, so aiai will not approve here/);
      assert.deepEqual(asked, [], 'no quick pick of candidates to approve');
    }
    before.assertSame();
  });

  it('Reject Candidate refuses before asking why, and the candidate still awaits review', async () => {
    const before = unchanged();
    const [id] = pendingIds();
    assert.ok(id);
    const { told, asked } = await watchingThePerson(() => vscode.commands.executeCommand('aiai.reject', id));
    assert.match(told.join('\n'), /this workspace is not trusted, so aiai will not reject here/);
    assert.deepEqual(asked, [], 'no input box for a reason');
    before.assertSame();
  });

  it('Roll Back refuses, from the Versions view and from the palette, before asking, and the files stay as they are', async () => {
    const before = unchanged();
    const v0 = (await itemsOf(api.versions)).find((v) => label(v.item).startsWith('v0 '));
    assert.ok(v0, 'the Versions view offers v0');
    for (const [command, target] of [['aiai.rollbackToVersion', v0.node], ['aiai.rollback', undefined]] as const) {
      const { told, asked } = await watchingThePerson(() => vscode.commands.executeCommand(command, target));
      assert.match(told.join('\n'), /this workspace is not trusted, so aiai will not roll back here/);
      assert.deepEqual(asked, [], 'neither a quick pick of versions nor the confirmation');
    }
    before.assertSame();
  });

  it('Initialize Workspace refuses, saying why: its checks would run the workspace\'s evaluator and tests', async () => {
    const before = unchanged();
    const { told, asked } = await watchingThePerson(() => vscode.commands.executeCommand('aiai.init'));
    assert.match(told.join('\n'), /this workspace is not trusted, so aiai will not initialize the workspace \(its checks run the evaluator and the tests\) here/);
    assert.deepEqual(asked, []);
    before.assertSame();
  });

  it('Evaluate My Changes refuses, saying why, runs no evaluation, and leaves the edit alone', async () => {
    const params = path.join(workspace(), 'agent', 'params.json');
    const edited = `${JSON.stringify({ x: 7 }, null, 2)}\n`;
    writeFileSync(params, edited);
    try {
      const before = unchanged();
      const { told, asked } = await watchingThePerson(() => vscode.commands.executeCommand('aiai.evaluateMyChanges'));
      assert.match(told.join('\n'), /this workspace is not trusted, so aiai will not run its evaluation commands/);
      assert.deepEqual(asked, []);
      before.assertSame();
      assert.equal(readFileSync(params, 'utf8'), edited, "the person's edit is as they left it");
    } finally {
      git('checkout', '--', 'agent/params.json');
    }
  });

  it('still shows the records: the Candidates view, a candidate in the review panel (without its decisions) and the Versions view', async () => {
    const [run] = await itemsOf(api.candidates);
    assert.match(label(run?.item ?? {}), /· 3 candidates, 2 awaiting review$/);
    const rows = await newestRun(api);
    assert.deepEqual(rows.slice(0, 2).map((r) => r.item.id), pendingIds(), 'the review queue first');
    const [id] = pendingIds();
    assert.ok(id);
    const snapshot = await openPanel(api, id);
    assert.equal(snapshot.review.id, id);
    assert.match(snapshot.review.diff, /^diff --git a\/agent\/params\.json/m);
    assert.equal(snapshot.canDecide, false, 'no Approve or Reject to click');
    assert.match(snapshot.untrusted ?? '', /not trusted/);
    const versions = await itemsOf(api.versions);
    assert.deepEqual(versions.map((v) => label(v.item).split(' ')[0]), ['v1', 'v0']);
  });
});

/** Every candidate's id and status, oldest first, as their records on disk say. */
function statuses(): Array<{ id: string; status: string; createdAt: string }> {
  return runs()
    .flatMap((run) => readdirSync(path.join(runsDir(), run, 'candidates')).map((file) => path.join(runsDir(), run, 'candidates', file)))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as { id: string; status: string; createdAt: string })
    .map(({ id, status, createdAt }) => ({ id, status, createdAt }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The runs' folders (beside them: the store's caches, which any reader may write). */
function runs(): string[] {
  return readdirSync(runsDir(), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function pendingIds(): string[] {
  return statuses()
    .filter((c) => c.status === 'pending')
    .map((c) => c.id);
}

/** The branch, the working tree, the runs and every candidate's status, as they are now; `assertSame` checks none has changed. */
function unchanged(): { assertSame: () => void } {
  const state = (): unknown => ({ head: git('rev-parse', 'HEAD'), status: git('status', '--porcelain'), runs: runs(), candidates: statuses() });
  const before = state();
  return { assertSame: () => assert.deepEqual(state(), before, 'nothing was committed, run or decided') };
}

/**
 * Runs `act` as the person would see it: each message shown to them (`told`) and each
 * question put to them (`asked`: a quick pick, an input box, a modal dialog), which is
 * left unanswered.
 */
async function watchingThePerson(act: () => Thenable<unknown>): Promise<{ told: string[]; asked: string[] }> {
  const window = vscode.window as unknown as Record<string, (...args: unknown[]) => Thenable<unknown>>;
  const told: string[] = [];
  const asked: string[] = [];
  const originals = new Map(['showErrorMessage', 'showWarningMessage', 'showInformationMessage', 'showQuickPick', 'showInputBox'].map((name) => [name, window[name]]));
  for (const name of ['showErrorMessage', 'showWarningMessage', 'showInformationMessage']) {
    window[name] = async (message: unknown, ...rest: unknown[]) => {
      const modal = rest.some((r) => typeof r === 'object' && r !== null && (r as vscode.MessageOptions).modal === true);
      (modal ? asked : told).push(String(message));
      return undefined;
    };
  }
  window.showQuickPick = async (_items: unknown, options: unknown) => (asked.push(`quick pick: ${(options as vscode.QuickPickOptions | undefined)?.title ?? ''}`), undefined);
  window.showInputBox = async (options: unknown) => (asked.push(`input box: ${(options as vscode.InputBoxOptions | undefined)?.title ?? ''}`), undefined);
  try {
    await act();
    return { told, asked };
  } finally {
    for (const [name, original] of originals) if (original) window[name] = original;
  }
}
