import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { AiaiApi } from '../../../src/extension/extension';
import type { ReviewSnapshot } from '../../../src/protocol';

const EXTENSION_ID = 'aiai.aiai';

/** Figures the launcher reports (e.g. for BENCHMARKS.md), kept beside the results. */
function recordMetric(name: string, value: number): void {
  const file = process.env.AIAI_TEST_RESULTS ? `${process.env.AIAI_TEST_RESULTS}.metrics.json` : undefined;
  if (!file) return;
  const metrics = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
  writeFileSync(file, JSON.stringify({ ...metrics, [name]: value }));
}

function extension(): vscode.Extension<AiaiApi> {
  const found = vscode.extensions.getExtension<AiaiApi>(EXTENSION_ID);
  if (!found) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  return found;
}

function workspace(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the host was opened without the test workspace');
  return folder.uri.fsPath;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspace(), encoding: 'utf8' }).trim();
}

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [path.join(extension().extensionPath, 'dist', 'cli.js'), ...args], { cwd: workspace(), encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

/** The candidates as the CLI lists them, oldest first. */
function listed(): Array<{ id: string; status: string }> {
  return JSON.parse(cli('list', '--json')) as Array<{ id: string; status: string }>;
}

function pendingIds(): string[] {
  return listed()
    .filter((c) => c.status === 'pending')
    .map((c) => c.id);
}

function firstPending(): string {
  const [id] = pendingIds();
  if (!id) throw new Error('the seeded workspace has no candidate awaiting review');
  return id;
}

/** Changes a candidate's record on disk, as the engine would have written it. */
function editRecord(id: string, edit: (record: Record<string, unknown>) => void): void {
  const runs = path.join(workspace(), '.aiai', 'runs');
  const file = readdirSync(runs)
    .map((run) => path.join(runs, run, 'candidates', `${id}.json`))
    .find((f) => existsSync(f));
  if (!file) throw new Error(`no record of candidate ${id}`);
  const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(record);
  writeFileSync(file, JSON.stringify(record, null, 2));
}

/**
 * Each test starts from one of two states of the workspace: `empty` (the agent as
 * committed, no records) or `seeded` (the records of one run made by the CLI before
 * the tests). The records, the candidates' refs and the branch are put back; the
 * editors are closed, so a review panel opens afresh.
 */
class WorkspaceStates {
  private readonly start = git('rev-parse', 'HEAD');
  private readonly saved = mkdtempSync(path.join(os.tmpdir(), 'aiai-seeded-'));
  private refs: string[] = [];

  /** Runs the loop once with the CLI and keeps what it recorded. */
  seed(): void {
    this.reset();
    cli('run');
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
function nextSnapshot(api: AiaiApi, match: (s: ReviewSnapshot) => boolean): Promise<ReviewSnapshot> {
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
async function openPanel(api: AiaiApi, id: string): Promise<ReviewSnapshot> {
  const shown = snapshotAfterReady(api);
  await vscode.commands.executeCommand('aiai.openReview', id);
  return shown;
}

/** Answers the next modal warning (a confirmation) with `answer`, and keeps the question. */
async function answeringWarnings<T>(answer: string | undefined, run: () => Thenable<T>): Promise<{ result: T; asked: string[] }> {
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

async function itemsOf(provider: vscode.TreeDataProvider<unknown>, parent?: unknown): Promise<Array<{ node: unknown; item: vscode.TreeItem }>> {
  const nodes = (await provider.getChildren(parent)) ?? [];
  return Promise.all(nodes.map(async (node) => ({ node, item: await provider.getTreeItem(node) })));
}

async function group(api: AiaiApi, name: string): Promise<Array<{ node: unknown; item: vscode.TreeItem }>> {
  const found = (await itemsOf(api.candidates)).find((g) => label(g.item) === name);
  return found ? itemsOf(api.candidates, found.node) : [];
}

const label = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

describe('AIAI in a VS Code extension host', () => {
  let api: AiaiApi;
  let activeBeforeUse: boolean;
  let states: WorkspaceStates;

  before(async () => {
    activeBeforeUse = extension().isActive;
    const started = performance.now();
    api = await extension().activate();
    recordMetric('activationMs', Math.round((performance.now() - started) * 10) / 10);
    states = new WorkspaceStates();
    states.seed();
  });

  after(() => states.dispose());

  it('is not activated before a command or view is used', () => {
    assert.equal(activeBeforeUse, false);
  });

  it('contributes every command to the palette under the AIAI category', async () => {
    const contributed = extension().packageJSON.contributes.commands as Array<{ command: string; category: string; title: string }>;
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

  it('Start Improvement Loop runs the loop, and the Candidates view shows the review queue first, oldest first', async () => {
    await states.use('empty');
    await vscode.commands.executeCommand('aiai.start');
    assert.equal(git('rev-parse', 'HEAD'), states.baseline, 'the loop did not touch the branch');
    assert.equal(git('status', '--porcelain'), '');
    const [first] = await itemsOf(api.candidates);
    assert.equal(first && label(first.item), 'Awaiting review');
    const pending = await group(api, 'Awaiting review');
    const queue = pendingIds();
    assert.ok(queue.length > 0, 'the run left a candidate to review');
    assert.deepEqual(pending.map((p) => p.item.id), queue);
    assert.match(String(pending[0]?.item.description), /^score \+0\.\d+/);
    assert.equal(pending[0]?.item.command?.command, 'aiai.openReview');
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

    await api.review.receive({ type: 'openLessons' });
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
    await api.review.receive({ type: 'approve', id, contentHash: '0'.repeat(40) });
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
    await api.review.receive({ type: 'openDiff', id: 'ffffffff' });
    const { outcome } = await failed;
    assert.equal(outcome?.level, 'error');
    assert.match(outcome?.message ?? '', /no candidate "ffffffff"/);
  });

  it('a candidate rejected with the CLI shows as rejected here: one store', async () => {
    await states.use('seeded');
    const last = pendingIds().at(-1);
    assert.ok(last);
    cli('reject', last, '--reason', 'tried from the terminal');
    const rejected = await group(api, 'Rejected');
    assert.ok(rejected.some((r) => r.item.id === last));
    assert.ok(!(await group(api, 'Awaiting review')).some((r) => r.item.id === last));
  });

  it('Approve in the panel commits the candidate, shows what it did, and moves on to the next in the queue', async () => {
    await states.use('seeded');
    const [id, next] = pendingIds();
    assert.ok(id && next, 'two candidates await review');
    const shown = await openPanel(api, id);
    const { contentHash } = shown.review;
    assert.ok(contentHash);
    const done = nextSnapshot(api, (s) => s.outcome !== undefined);
    await api.review.receive({ type: 'approve', id, contentHash });
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
});
