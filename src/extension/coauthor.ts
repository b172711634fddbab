import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/common/errors';
import type { Config } from '../core/config/config';
import { pathPolicy } from '../core/config/pathPolicy';
import { checkoutCandidate } from '../core/deploy/checkout';
import type { Git } from '../core/git/git';
import { WorkingTree } from '../core/git/workingTree';
import { candidateHunks, deriveCandidate, type FileHunks } from '../core/loop/derive';
import { candidateAsParent, type PersonResult } from '../core/loop/personCandidate';
import { tryChange } from '../core/loop/tryChange';
import type { Hunk } from '../core/propose/hunks';
import type { CandidateRecord } from '../core/record/records';
import { Store } from '../core/record/store';
import type { ChangeFile, Coauthoring, HunkPreview, SelectedFile } from '../protocol';
import type { Decisions } from './decisions';
import { candidateDelta } from './format';
import type { LoopRunner } from './loopRunner';
import type { WorkspaceSession } from './workspaceSession';

const BY = 'person via vscode';
/** The workspace state key of the candidate Edit in Workspace last wrote into the working tree. */
const CHECKED_OUT = 'aiai.checkedOut';
/** Lines of a hunk shown to choose it by. */
const PREVIEW_LINES = 6;
/** Candidates whose hunks are kept in memory: a built candidate's change never changes. */
const HUNKS_KEPT = 20;

/** A candidate written into the working tree, the commit it was written on, and the files written. */
interface CheckedOut {
  id: string;
  head: string;
  files: string[];
}

/** What grading a person's candidate came to: the candidate to open (absent when a stop came first), and what to tell. */
export interface Graded {
  id?: string;
  message: string;
}

/**
 * The person as co-author: Evaluate My Changes (their edits, graded as a candidate),
 * Edit in Workspace (a candidate's change written into the working tree to edit),
 * Evaluate Selection (part of a candidate, graded as a new one). The gradings run
 * through the loop runner, one at a time, with its progress and log. Which candidate
 * Edit in Workspace wrote is remembered for the workspace, and forgotten once the
 * branch moves or the working tree no longer holds any of it.
 */
export class Coauthor {
  private readonly hunks = new Map<string, Promise<FileHunks[]>>();
  /** Fires when what the panel shows of co-authoring may have changed: a run starts or ends. */
  readonly onDidChange: vscode.Event<unknown>;

  constructor(
    private readonly session: WorkspaceSession,
    private readonly runner: LoopRunner,
    private readonly decisions: Decisions,
    private readonly memory: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.onDidChange = runner.onDidChangeState;
  }

  /** Grades the person's uncommitted edits to editable files, on the candidate Edit in Workspace wrote there if it still applies. */
  async evaluateMyChanges(): Promise<Graded> {
    const folder = this.session.requireFolder();
    const parent = await this.parent();
    const on = parent.id ? `candidate ${parent.id}` : 'the current version';
    const result = await this.runner.grade(`your change on ${on}`, (grading) => tryChange(folder, { ...grading, by: BY, ...(parent.id ? { parent: parent.id } : {}) }));
    return graded(result, `Your change, graded on ${on},`, parent.why);
  }

  /** Grades the chosen files and hunks of a candidate's change as a new candidate. */
  async evaluateSelection(id: string, files: SelectedFile[]): Promise<Graded> {
    const folder = this.session.requireFolder();
    const result = await this.runner.grade(`part of candidate ${id}`, (grading) => deriveCandidate(folder, id, files, { ...grading, by: BY }));
    return graded(result, `Part of candidate ${id}`);
  }

  /**
   * Writes a candidate's change into the working tree (refused, changing nothing, over
   * uncommitted edits in those files), opens the files in `column`, and says what to
   * do next.
   */
  async editInWorkspace(id: string, column: vscode.ViewColumn): Promise<string> {
    const folder = this.decisions.trustedFolder('write a candidate into the working tree');
    const result = await checkoutCandidate(folder, id, this.decisions.actor);
    const cid = result.candidate.id;
    const files = result.written.length > 0 ? result.written : result.candidate.changedPaths.filter((p) => !result.leftOut.includes(p));
    const leftAlone = result.leftOut.length > 0 ? ` Left alone, as not editable under the config now: ${result.leftOut.join(', ')}.` : '';
    if (result.heldBy !== 'the current version') {
      await this.memory.update(CHECKED_OUT, { id: cid, head: await (await this.session.git()).head(), files } satisfies CheckedOut);
    }
    // Last first, so that the first file is the one in front.
    for (const file of [...files].reverse()) await vscode.window.showTextDocument(vscode.Uri.file(path.join(folder, file)), { viewColumn: column, preview: false });
    this.session.refresh();
    const message = result.heldBy
      ? `${capitalized(result.heldBy)} already holds candidate ${cid}'s change; nothing was written.`
      : `Wrote candidate ${cid}'s change into ${files.join(', ')} (not staged, not committed).`;
    const next = result.heldBy === 'the current version' ? 'Edit it, then run “AIAI: Evaluate My Changes”.' : `Edit it, then run “AIAI: Evaluate My Changes” to grade your version on candidate ${cid}.`;
    this.log.info(message);
    return `${message}${leftAlone} ${next}`;
  }

  /** What the review panel offers for `candidate`'s change: its files and hunks, and whether Edit in Workspace and Evaluate Selection apply. */
  async coauthoring(candidate: CandidateRecord, config: Config, trusted: boolean): Promise<Coauthoring> {
    const cannotEdit = !trusted ? 'The workspace is not trusted.' : candidate.commit ? undefined : 'It was never built, so it has no change to take.';
    let files: ChangeFile[] = [];
    let unreadable: string | undefined;
    if (candidate.commit) {
      try {
        files = await this.files(candidate.id, config);
      } catch (error) {
        unreadable = `Its change cannot be read: ${errorMessage(error)}`;
      }
    }
    const cannotEvaluate = cannotEdit ?? unreadable ?? (this.runner.state.running ? 'A run is going on; evaluate once it is done.' : undefined);
    return {
      files,
      ...(cannotEdit ? { cannotEdit } : {}),
      ...(cannotEvaluate ? { cannotEvaluate } : {}),
      checkedOut: await this.isCheckedOut(candidate.id),
    };
  }

  /** The candidate Edit in Workspace wrote, as the parent of the person's change, if it still applies and may be one. */
  private async parent(): Promise<{ id?: string; why?: string }> {
    const out = this.memory.get<CheckedOut>(CHECKED_OUT);
    if (!out) return {};
    const git = await this.session.git();
    if (!(await holds(git, out))) {
      await this.forget();
      return {};
    }
    try {
      await candidateAsParent(git, new Store(git.root), this.session.config(), out.id, out.head);
      return { id: out.id };
    } catch (error) {
      await this.forget();
      // The engine's reason, less the CLI's advice (to try without a parent), which this follows itself.
      const reason = errorMessage(error).replace(/; try without --parent$/, '');
      return { why: `It was graded on the current version, not on candidate ${out.id} in your working tree: ${reason}.` };
    }
  }

  private async isCheckedOut(id: string): Promise<boolean> {
    const out = this.memory.get<CheckedOut>(CHECKED_OUT);
    if (out?.id !== id) return false;
    const held = await this.session
      .git()
      .then((git) => holds(git, out))
      .catch(() => false); // no repository any more: nothing is held
    if (!held) await this.forget();
    return held;
  }

  private forget(): Thenable<void> {
    return this.memory.update(CHECKED_OUT, undefined);
  }

  /** The candidate's files and hunks, numbered as a selection names them, each file marked if no candidate may change it now. */
  private async files(id: string, config: Config): Promise<ChangeFile[]> {
    let hunks = this.hunks.get(id);
    if (!hunks) {
      hunks = candidateHunks(this.session.requireFolder(), id);
      this.hunks.set(id, hunks);
      hunks.catch(() => this.hunks.delete(id));
      for (const old of [...this.hunks.keys()].slice(0, -HUNKS_KEPT)) this.hunks.delete(old);
    }
    const policy = pathPolicy(config);
    return (await hunks).map((file) => ({
      path: file.path,
      hunks: file.hunks.map(preview),
      ...(policy.isProtected(file.path) || !policy.isEditable(file.path) ? { locked: 'not editable under the config now' } : {}),
    }));
  }
}

/** Whether the working tree still holds some of a candidate written there: the branch has not moved and a file written still differs from it. */
async function holds(git: Git, out: CheckedOut): Promise<boolean> {
  return (await git.head()) === out.head && (await new WorkingTree(git).differing(out.head, out.files)).length > 0;
}

/** A hunk's header and its lines from just before its first change. */
function preview(hunk: Hunk): HunkPreview {
  const first = Math.max(0, hunk.lines.findIndex((l) => l.startsWith('+') || l.startsWith('-')) - 1);
  const lines = hunk.lines.slice(first, first + PREVIEW_LINES);
  return { number: hunk.number, header: hunk.header, lines, more: hunk.lines.length - first - lines.length };
}

function graded({ candidate, leftOut }: PersonResult, what: string, why?: string): Graded {
  const notes = [...(leftOut.length > 0 ? [`Left out: ${leftOut.map((l) => `${l.path} (${l.reason})`).join(', ')}.`] : []), ...(why ? [why] : [])];
  if (!candidate) return { message: [`${what} was not graded: the run stopped before the candidate was recorded.`, ...notes].join(' ') };
  const delta = candidateDelta(candidate);
  const verdict = candidate.status === 'pending' ? `awaits your review${delta ? ` (${delta})` : ''}` : `${candidate.status}${candidate.reason ? `: ${candidate.reason}` : ''}`;
  return { id: candidate.id, message: [`${what} is candidate ${candidate.id}: it ${verdict}.`, ...notes].join(' ') };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
