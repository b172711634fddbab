/**
 * What the integration tests share: the extension, the workspace and its records,
 * the CLI, the review panel's messages and the views' rows.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CandidateNode } from '../../../src/extension/candidatesView';
import type { AiaiApi } from '../../../src/extension/extension';
import { runLoop } from '../../../src/core/loop/loop';
import type { ReviewSnapshot } from '../../../src/protocol';
import { paramsStep, ScriptedProposer } from '../../fixtures/agentWorkspace';
const EXTENSION_ID = 'aiai.aiai';

/** Figures the launcher reports (e.g. for BENCHMARKS.md), kept beside the results. */
export function recordMetric(name: string, value: number): void {
  const file = process.env.AIAI_TEST_RESULTS ? `${process.env.AIAI_TEST_RESULTS}.metrics.json` : undefined;
  if (!file) return;
  const metrics = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
  writeFileSync(file, JSON.stringify({ ...metrics, [name]: value }));
}

export function extension(): vscode.Extension<AiaiApi> {
  const found = vscode.extensions.getExtension<AiaiApi>(EXTENSION_ID);
  if (!found) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  return found;
}

export function workspace(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the host was opened without the test workspace');
  return folder.uri.fsPath;
}

export function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspace(), encoding: 'utf8' }).trim();
}

export function cli(...args: string[]): string {
  return execFileSync(process.execPath, [path.join(extension().extensionPath, 'dist', 'cli.js'), ...args], { cwd: workspace(), encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

/** The candidates as the CLI lists them, oldest first. */
export function listed(): Array<{ id: string; status: string }> {
  return JSON.parse(cli('list', '--json')) as Array<{ id: string; status: string }>;
}

export function pendingIds(): string[] {
  return listed()
    .filter((c) => c.status === 'pending')
    .map((c) => c.id);
}

export function firstPending(): string {
  const [id] = pendingIds();
  if (!id) throw new Error('the seeded workspace has no candidate awaiting review');
  return id;
}

export function runsDir(): string {
  return path.join(workspace(), '.aiai', 'runs');
}

function recordFile(id: string): string {
  const file = readdirSync(runsDir())
    .map((run) => path.join(runsDir(), run, 'candidates', `${id}.json`))
    .find((f) => existsSync(f));
  if (!file) throw new Error(`no record of candidate ${id}`);
  return file;
}

/** Changes a candidate's record on disk, as the engine would have written it. */
export function editRecord(id: string, edit: (record: Record<string, unknown>) => void): void {
  const file = recordFile(id);
  const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(record);
  writeFileSync(file, JSON.stringify(record, null, 2));
}

/** The candidates `id` grew from, oldest first, as its records on disk say. */
export function parentsOf(id: string): string[] {
  const chain: string[] = [];
  for (let parent = (JSON.parse(readFileSync(recordFile(id), 'utf8')) as { parent: { id: string | null } }).parent.id; parent !== null; ) {
    chain.unshift(parent);
    parent = (JSON.parse(readFileSync(recordFile(parent), 'utf8')) as { parent: { id: string | null } }).parent.id;
  }
  return chain;
}

/**
 * Adds `count` runs older than the seeded one, each a copy of its record files under
 * new ids and times, every candidate decided (rejected) except the first of run
 * `pendingIn`, which awaits review; run `damagedIn` also gets a record cut short.
 * Returns the new run ids, oldest first.
 */
export function addOlderRuns(count: number, pendingIn: number, damagedIn: number): string[] {
  const [seeded] = readdirSync(runsDir(), { withFileTypes: true }).filter((d) => d.isDirectory());
  if (!seeded) throw new Error('the workspace has no run to copy');
  const from = path.join(runsDir(), seeded.name);
  const records = readdirSync(path.join(from, 'candidates')).map((f) => JSON.parse(readFileSync(path.join(from, 'candidates', f), 'utf8')) as Record<string, unknown>);
  const run = JSON.parse(readFileSync(path.join(from, 'run.json'), 'utf8')) as Record<string, unknown>;
  const ids: string[] = [];
  for (let r = 0; r < count; r++) {
    const runId = `20200101-0000${String(r).padStart(2, '0')}-copy`;
    const dir = path.join(runsDir(), runId);
    mkdirSync(path.join(dir, 'candidates'), { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...run, id: runId, state: 'finished', startedAt: new Date(Date.UTC(2020, 0, 1, 0, 0, r)).toISOString() }));
    records.forEach((record, i) => {
      const id = `e${String(r).padStart(3, '0')}${String(i).padStart(4, '0')}`;
      const status = r === pendingIn && i === 0 ? 'pending' : 'rejected';
      const copy = { ...record, id, runId, status, createdAt: new Date(Date.UTC(2020, 0, 1, 0, 0, r, i + 1)).toISOString() };
      writeFileSync(path.join(dir, 'candidates', `${id}.json`), JSON.stringify(copy, null, 2));
    });
    if (r === damagedIn) writeFileSync(path.join(dir, 'candidates', 'dddddddd.json'), '{"id": "dddddddd", "sta');
    ids.push(runId);
  }
  return ids;
}

/**
 * Each test starts from one of two states of the workspace: `empty` (the agent as
 * committed, no records) or `seeded` (the records of one run made by the CLI before
 * the tests). The records, the candidates' refs and the branch are put back; the
 * editors are closed, so a review panel opens afresh.
 */
export class WorkspaceStates {
  /** The agent as committed: the repository's first commit, wherever an earlier suite left the branch. */
  private readonly start = git('rev-list', '--max-parents=0', 'HEAD');
  private readonly saved = mkdtempSync(path.join(os.tmpdir(), 'aiai-seeded-'));
  private refs: string[] = [];

  /**
   * Runs the loop once and keeps what it recorded: a chain of four candidates, x from 2
   * to 3, 4, 5 and 6, each awaiting review and built on the one before. A scripted
   * proposer makes it, so the tests do not depend on where the parameter search goes.
   */
  async seed(): Promise<void> {
    this.reset();
    const steps = [3, 4, 5, 6].map((x) => paramsStep(`x ${x - 1} → ${x}`, { x }));
    await runLoop(workspace(), { proposer: new ScriptedProposer(steps), iterations: steps.length, signal: new AbortController().signal });
    cpSync(path.join(workspace(), '.aiai'), this.saved, { recursive: true });
    this.refs = git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/aiai').split('\n').filter(Boolean);
  }

  async use(state: 'empty' | 'seeded'): Promise<void> {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    this.reset();
    if (state === 'empty') return;
    cpSync(this.saved, path.join(workspace(), '.aiai'), { recursive: true });
    for (const line of this.refs) git('update-ref', ...line.split(' '));
  }

  get baseline(): string {
    return this.start;
  }

  private reset(): void {
    git('reset', '-q', '--hard', this.start);
    git('clean', '-q', '-fdx');
    for (const ref of git('for-each-ref', '--format=%(refname)', 'refs/aiai').split('\n').filter(Boolean)) git('update-ref', '-d', ref);
  }

  dispose(): void {
    rmSync(this.saved, { recursive: true, force: true });
  }
}

/** The first snapshot the panel sends that satisfies `match`. */
export function nextSnapshot(api: AiaiApi, match: (s: ReviewSnapshot) => boolean): Promise<ReviewSnapshot> {
  return new Promise((resolve) => {
    const subscription = api.review.onDidSend((message) => {
      if (message.type !== 'review' || !match(message.snapshot)) return;
      subscription.dispose();
      resolve(message.snapshot);
    });
  });
}

/** The first snapshot the panel sends after its real webview has loaded and said `ready`. */
function snapshotAfterReady(api: AiaiApi): Promise<ReviewSnapshot> {
  return new Promise((resolve) => {
    let ready = false;
    const subscriptions = [
      api.review.onDidReceive((message) => {
        if (message.type === 'ready') ready = true;
      }),
      api.review.onDidSend((message) => {
        if (!ready || message.type !== 'review') return;
        for (const s of subscriptions) s.dispose();
        resolve(message.snapshot);
      }),
    ];
  });
}

/** Opens the review panel on `id` as the Candidates view does, once its webview is up. */
export async function openPanel(api: AiaiApi, id: string): Promise<ReviewSnapshot> {
  const shown = snapshotAfterReady(api);
  await vscode.commands.executeCommand('aiai.openReview', id);
  return shown;
}

/** Answers the next modal warning (a confirmation) with `answer`, and keeps the question. */
export async function answeringWarnings<T>(answer: string | undefined, run: () => Thenable<T>): Promise<{ result: T; asked: string[] }> {
  const window = vscode.window as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
  const original = window.showWarningMessage;
  const asked: string[] = [];
  // A test host refuses every modal dialog; this stands in for the person's click.
  window.showWarningMessage = async (message: unknown) => {
    asked.push(String(message));
    return answer;
  };
  try {
    return { result: await run(), asked };
  } finally {
    window.showWarningMessage = original;
  }
}

export async function itemsOf(provider: vscode.TreeDataProvider<unknown>, parent?: unknown): Promise<Array<{ node: unknown; item: vscode.TreeItem }>> {
  const nodes = (await provider.getChildren(parent)) ?? [];
  return Promise.all(nodes.map(async (node) => ({ node, item: await provider.getTreeItem(node) })));
}

/** The candidates of the newest run, the first row of the Candidates view. */
export async function newestRun(api: AiaiApi): Promise<Array<{ node: unknown; item: vscode.TreeItem }>> {
  const [run] = await itemsOf(api.candidates);
  return run ? itemsOf(api.candidates, run.node) : [];
}

/** The first message `event` fires that `match` picks. */
export function nextSent<M, T extends M>(event: vscode.Event<M>, match: (message: M) => message is T): Promise<T> {
  return new Promise((resolve) => {
    const subscription = event((message) => {
      if (!match(message)) return;
      subscription.dispose();
      resolve(message);
    });
  });
}

/** Answers each quick pick with the item `choose` finds among those offered, as the person would click it; keeps what was offered. */
export async function answeringQuickPicks<T>(choose: (items: vscode.QuickPickItem[], title: string) => vscode.QuickPickItem | undefined, run: () => Thenable<T>): Promise<{ result: T; offered: Array<{ title: string; items: vscode.QuickPickItem[] }> }> {
  const window = vscode.window as { showQuickPick: (...args: unknown[]) => Thenable<unknown> };
  const original = window.showQuickPick;
  const offered: Array<{ title: string; items: vscode.QuickPickItem[] }> = [];
  window.showQuickPick = async (items: unknown, options: unknown) => {
    const list = (await items) as vscode.QuickPickItem[];
    const title = (options as vscode.QuickPickOptions | undefined)?.title ?? '';
    offered.push({ title, items: list });
    return choose(list, title);
  };
  try {
    return { result: await run(), offered };
  } finally {
    window.showQuickPick = original;
  }
}

/** Answers the next input box with `answer`, as the person would type it. */
export async function answeringInput<T>(answer: string, run: () => Thenable<T>): Promise<T> {
  const window = vscode.window as { showInputBox: (...args: unknown[]) => Thenable<string | undefined> };
  const original = window.showInputBox;
  window.showInputBox = async () => answer;
  try {
    return await run();
  } finally {
    window.showInputBox = original;
  }
}

/** Resolves once `done` holds of the getChildren calls the view's tree made, each named by its parent's id (the root: ''). */
export function watchingChildren(api: AiaiApi): { asked: string[]; until: (done: (asked: string[]) => boolean) => Promise<void>; rootMs: number[]; dispose: () => void } {
  const provider = api.candidates;
  const original = provider.getChildren.bind(provider);
  const asked: string[] = [];
  const rootMs: number[] = [];
  let waiting: { done: (asked: string[]) => boolean; resolve: () => void } | undefined;
  provider.getChildren = (node?: CandidateNode) => {
    const started = performance.now();
    const children = original(node);
    if (!node) rootMs.push(performance.now() - started);
    asked.push(node?.kind === 'run' ? node.run.id : node ? `${node.kind}?` : '');
    if (waiting?.done(asked)) waiting.resolve();
    return children;
  };
  return {
    asked,
    rootMs,
    until: (done) => new Promise((resolve) => (done(asked) ? resolve() : (waiting = { done, resolve }))),
    dispose: () => Reflect.deleteProperty(provider, 'getChildren'),
  };
}

export const label = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

/** The editor column the review panel's tab is in, if it is open. */
export function reviewColumn(): vscode.ViewColumn | undefined {
  return vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('aiai.review')))?.viewColumn;
}

/** Resolves once the review panel's tab is in `column`: VS Code moves tabs after the command that asked returns. */
export function reviewMovedTo(column: vscode.ViewColumn): Promise<void> {
  return new Promise((resolve) => {
    if (reviewColumn() === column) return resolve();
    const watch = vscode.window.tabGroups.onDidChangeTabs(() => {
      if (reviewColumn() !== column) return;
      watch.dispose();
      resolve();
    });
  });
}
