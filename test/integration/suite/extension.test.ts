import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { AiaiApi } from '../../../src/extension/extension';
import type { ToWebview } from '../../../src/protocol';

const EXTENSION_ID = 'aiai.aiai';

/** Figures the launcher reports (e.g. for BENCHMARKS.md), kept beside the results. */
function recordMetric(name: string, value: number): void {
  const file = process.env.AIAI_TEST_RESULTS ? `${process.env.AIAI_TEST_RESULTS}.metrics.json` : undefined;
  if (!file) return;
  const metrics = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
  writeFileSync(file, JSON.stringify({ ...metrics, [name]: value }));
}

function workspace(): string {
  return vscode.workspace.workspaceFolders![0]!.uri.fsPath;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspace(), encoding: 'utf8' }).trim();
}

function cli(...args: string[]): string {
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  return execFileSync(process.execPath, [path.join(extension.extensionPath, 'dist', 'cli.js'), ...args], { cwd: workspace(), encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

/** The next message the review panel sends that satisfies `match`. */
function nextSent(api: AiaiApi, match: (m: ToWebview) => boolean): Promise<ToWebview> {
  return new Promise((resolve) => {
    const subscription = api.review.onDidSend((message) => {
      if (!match(message)) return;
      subscription.dispose();
      resolve(message);
    });
  });
}

function treeChanged(provider: vscode.TreeDataProvider<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const subscription = provider.onDidChangeTreeData!(() => {
      subscription.dispose();
      resolve();
    });
  });
}

async function itemsOf(provider: vscode.TreeDataProvider<unknown>, parent?: unknown): Promise<Array<{ node: unknown; item: vscode.TreeItem }>> {
  const nodes = (await provider.getChildren(parent)) ?? [];
  return Promise.all(nodes.map(async (node) => ({ node, item: await provider.getTreeItem(node) })));
}

const label = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

describe('AIAI in a VS Code extension host', () => {
  let api: AiaiApi;
  let activeBeforeUse: boolean;

  before(async () => {
    const extension = vscode.extensions.getExtension<AiaiApi>(EXTENSION_ID)!;
    activeBeforeUse = extension.isActive;
    const started = performance.now();
    api = await extension.activate();
    recordMetric('activationMs', Math.round((performance.now() - started) * 10) / 10);
  });

  it('is not activated before a command or view is used', () => {
    assert.equal(activeBeforeUse, false);
  });

  it('contributes every command to the palette under the AIAI category', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (extension.packageJSON.contributes.commands as Array<{ command: string; category: string; title: string }>);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of contributed) {
      assert.equal(c.category, 'AIAI');
      assert.ok(registered.has(c.command), `${c.command} is registered`);
    }
    const titles = contributed.map((c) => c.title);
    for (const title of ['Initialize Workspace', 'Start Improvement Loop', 'Stop Improvement Loop', 'Open Review Panel', 'Approve Candidate', 'Reject Candidate', 'Roll Back to Version', 'Set Anthropic API Key', 'Show Log']) {
      assert.ok(titles.includes(title), title);
    }
  });

  it('Start Improvement Loop runs the loop, and the Candidates view shows what awaits review first', async () => {
    const head = git('rev-parse', 'HEAD');
    await vscode.commands.executeCommand('aiai.start');
    assert.equal(git('rev-parse', 'HEAD'), head, 'the loop did not touch the branch');
    assert.equal(git('status', '--porcelain'), '');
    const groups = await itemsOf(api.candidates);
    assert.equal(label(groups[0]!.item), 'Awaiting review');
    const pending = await itemsOf(api.candidates, groups[0]!.node);
    assert.ok(pending.length >= 2, `at least two candidates await review (${pending.length})`);
    assert.match(String(pending[0]!.item.description), /^score \+0\.\d+/);
    assert.equal(pending[0]!.item.command?.command, 'aiai.openReview');
  });

  it('the review panel answers ready with a snapshot of the candidate', async () => {
    const [group] = await itemsOf(api.candidates);
    const [first] = await itemsOf(api.candidates, group!.node);
    const id = first!.item.id!;
    await vscode.commands.executeCommand('aiai.openReview', id);
    const snapshot = nextSent(api, (m) => m.type === 'review');
    await api.review.receive({ type: 'ready' });
    const message = await snapshot;
    assert.equal(message.type, 'review');
    if (message.type !== 'review') return;
    assert.equal(message.snapshot.review.id, id);
    assert.equal(message.snapshot.canDecide, true);
    assert.ok(message.snapshot.review.metrics.some((m) => m.objective && m.delta! > 0));
    assert.match(message.snapshot.review.diff, /^diff --git a\/agent\/params\.json/m);
    assert.ok(message.snapshot.run.points.some((p) => p.id === id), 'the run picture holds the candidate');
    assert.equal(message.snapshot.run.metric, 'score');
  });

  it('drops messages that do not match the protocol, and refuses a wrong content hash', async () => {
    const head = git('rev-parse', 'HEAD');
    const id = api.review.visibleCandidate!;
    await api.review.receive({ type: 'approve', id });
    await api.review.receive({ type: 'approve', id: 7, contentHash: 'x' });
    await api.review.receive('approve');
    assert.equal(git('rev-parse', 'HEAD'), head);
    const refusal = nextSent(api, (m) => m.type === 'notice');
    await api.review.receive({ type: 'approve', id, contentHash: '0'.repeat(40) });
    const notice = await refusal;
    assert.ok(notice.type === 'notice' && notice.level === 'error' && /not the reviewed/.test(notice.message), JSON.stringify(notice));
    assert.equal(git('rev-parse', 'HEAD'), head);
  });

  it('a candidate rejected with the CLI shows as rejected here: one store', async () => {
    const [group] = await itemsOf(api.candidates);
    const pending = await itemsOf(api.candidates, group!.node);
    const last = pending[pending.length - 1]!.item.id!;
    const changed = treeChanged(api.candidates);
    cli('reject', last, '--reason', 'tried from the terminal');
    await changed;
    const rejectedGroup = (await itemsOf(api.candidates)).find((g) => label(g.item) === 'Rejected')!;
    const rejected = await itemsOf(api.candidates, rejectedGroup.node);
    assert.ok(rejected.some((r) => r.item.id === last));
  });

  it('Approve in the panel commits the candidate, and the Versions view grows', async () => {
    const baseline = git('rev-parse', 'HEAD');
    const id = api.review.visibleCandidate!;
    const snapshot = nextSent(api, (m) => m.type === 'review');
    await api.review.receive({ type: 'navigate', id });
    const shown = await snapshot;
    assert.equal(shown.type, 'review');
    if (shown.type !== 'review') return;
    const done = nextSent(api, (m) => m.type === 'notice');
    await api.review.receive({ type: 'approve', id, contentHash: shown.snapshot.review.contentHash });
    const notice = await done;
    assert.ok(notice.type === 'notice' && notice.level === 'info' && notice.message.startsWith(`Approved ${id}`), JSON.stringify(notice));
    assert.equal(git('rev-parse', 'HEAD~1'), baseline);
    assert.equal(git('log', '-1', '--format=%(trailers:key=Aiai-Candidate,valueonly)'), id);
    const versions = await itemsOf(api.versions);
    assert.equal(versions.length, 2);
    assert.match(label(versions[0]!.item), /^v1 · score 0\.\d+$/);
    assert.match(label(versions[1]!.item), /^v0 · score 0\.2$/);
  });

  it('Roll Back to This Version does nothing unless the person confirms', async () => {
    const head = git('rev-parse', 'HEAD');
    const versions = await itemsOf(api.versions);
    await vscode.commands.executeCommand('aiai.rollbackToVersion', versions[1]!.node);
    assert.equal(git('rev-parse', 'HEAD'), head);
  });

  it('Compare with Current opens the native diff editor on the editable files', async () => {
    const versions = await itemsOf(api.versions);
    await vscode.commands.executeCommand('aiai.compareWithCurrent', versions[1]!.node);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.match(tab?.label ?? '', /AIAI v0 ↔ current/);
  });
});
