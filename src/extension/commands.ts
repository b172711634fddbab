import * as vscode from 'vscode';
import { initWorkspace } from '../core/config/init';
import { checkSuites, suiteCheckLine, trialSandbox } from '../core/loop/initCheck';
import type { Version } from '../core/review/versions';
import type { ApiKeyStore } from './apiKey';
import type { CandidateNode } from './candidatesView';
import type { Coauthor } from './coauthor';
import type { CommandId } from './commandIds';
import { compareCommand } from './compare';
import type { ComparePanel } from './comparePanel';
import type { Decisions } from './decisions';
import { candidateDelta, shortDate, versionMetric } from './format';
import type { LoopRunner } from './loopRunner';
import type { ReviewPanel } from './reviewPanel';
import type { VersionNode } from './versionsView';
import type { WorkspaceSession } from './workspaceSession';

export interface Services {
  session: WorkspaceSession;
  loop: LoopRunner;
  panel: ReviewPanel;
  compare: ComparePanel;
  decisions: Decisions;
  coauthor: Coauthor;
  apiKey: ApiKeyStore;
  log: vscode.LogOutputChannel;
}

export type CommandHandlers = Record<CommandId, (...args: never[]) => unknown>;

/**
 * What each command does; each is a few lines over a service. An action an untrusted
 * workspace does not allow is refused before the person is asked which candidate or
 * version, or why (the service checks again).
 */
export function commandHandlers(s: Services): CommandHandlers {
  return {
    'aiai.init': () => initialize(s),
    'aiai.start': () => s.loop.start(),
    'aiai.stop': () => s.loop.stop(),
    'aiai.openReview': (id?: string) => s.panel.show(typeof id === 'string' ? id : undefined),
    'aiai.approve': async (target?: string | CandidateNode) => {
      s.decisions.trustedFolder('approve');
      const chosen = idOf(target) ?? s.panel.visibleCandidate ?? (await pickPending(s, 'Approve which candidate?'));
      if (chosen) inform(await s.decisions.approve(chosen));
    },
    'aiai.reject': async (target?: string | CandidateNode) => {
      s.decisions.trustedFolder('reject');
      const chosen = idOf(target) ?? s.panel.visibleCandidate ?? (await pickPending(s, 'Reject which candidate?'));
      if (!chosen) return;
      const reason = await vscode.window.showInputBox({ title: `AIAI: reject ${chosen}`, prompt: 'Why? (optional, kept with the record)' });
      if (reason !== undefined) inform(await s.decisions.reject(chosen, reason));
    },
    'aiai.evaluateMyChanges': async () => {
      const graded = await s.coauthor.evaluateMyChanges();
      if (graded.id) s.panel.show(graded.id, { level: 'info', message: graded.message });
      else inform(graded.message);
    },
    'aiai.editInWorkspace': async (target?: string | CandidateNode) => {
      s.decisions.trustedFolder('write a candidate into the working tree');
      const chosen = idOf(target) ?? s.panel.visibleCandidate ?? (await pickPending(s, 'Edit which candidate in the workspace?'));
      if (chosen) inform(await s.coauthor.editInWorkspace(chosen, s.panel.editorColumn()));
    },
    // The same action under two names: the palette's and the Versions view's (one for each item).
    'aiai.rollback': (node?: VersionNode) => rollback(s, node),
    'aiai.rollbackToVersion': (node?: VersionNode) => rollback(s, node),
    'aiai.compareWithCurrent': async (node?: VersionNode) => {
      const version = node?.version ?? (await pickVersion(s, 'Compare which version with the current files?'));
      if (version) await s.decisions.compareWithCurrent(version);
    },
    // The palette's, and the one the Candidates and Versions rows offer (given their item).
    'aiai.compare': (first?: unknown, second?: unknown) => compareCommand(s.session, s.compare, first, second),
    'aiai.compareWith': (first?: unknown) => compareCommand(s.session, s.compare, first, undefined),
    'aiai.setApiKey': () => s.apiKey.prompt(),
    'aiai.showLog': () => s.log.show(),
    'aiai.refresh': () => s.session.refresh(),
  };
}

/** The candidate a command was given: an id (the panel, a test), or the Candidates view's item whose inline action was clicked. */
function idOf(target: string | CandidateNode | undefined): string | undefined {
  if (typeof target === 'string') return target;
  return target?.kind === 'candidate' ? target.candidate.id : undefined;
}

function inform(message: string | undefined): void {
  if (message) void vscode.window.showInformationMessage(`AIAI: ${message}`);
}

async function initialize(s: Services): Promise<void> {
  // Init checks its guesses by running the workspace's evaluator or tests: code an untrusted workspace may not run.
  const folder = s.decisions.trustedFolder('initialize the workspace (its checks run the evaluator and the tests)');
  // A peer's guesses are checked on its evaluator, which may take minutes: the notification says what runs.
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AIAI: Initialize Workspace' }, (progress) =>
    initWorkspace(folder, trialSandbox(), (line) => {
      s.log.info(`init: ${line}`);
      progress.report({ message: line });
    }),
  );
  const checking = suiteCheckLine(result);
  // It may set "repeats" in the config: it runs before the config is shown.
  const checked = checking ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `AIAI: ${checking}` }, () => checkSuites(folder, result)) : undefined;
  for (const note of [...result.notes, ...(checked?.notes ?? [])]) s.log.info(`init: ${note}`);
  await vscode.window.showTextDocument(vscode.Uri.file(result.configFile));
  s.session.refresh();
  if (result.layout) inform(`wrote .aiai/config.json and its adapter for this ${result.layout} project: start the loop when you like, and commit .aiai/ to keep them with your project.`);
  else if (checked) inform(`wrote .aiai/config.json for ${result.guessedFrom}; ${checked.repeated.length > 0 ? `"repeats" set on ${checked.repeated.join(', ')}, whose results differed between two runs of the current version` : 'no "repeats" set'} (AIAI's log says why).`);
  else inform(result.guessedFrom ? `wrote .aiai/config.json; the eval command was guessed from ${result.guessedFrom}.` : 'wrote .aiai/config.json; set your eval command in it.');
}

/** A quick pick of the review queue, in its order. */
async function pickPending(s: Services, title: string): Promise<string | undefined> {
  const pending = s.session.pending();
  if (pending.length === 0) {
    inform('no candidate awaits review.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    pending.map((c) => ({ label: c.title, description: [candidateDelta(c), ...c.flags].join(' · '), detail: `candidate ${c.id}`, id: c.id })),
    { title: `AIAI: ${title}` },
  );
  return picked?.id;
}

/** Rolls back to the version of a Versions view item, or to one the person picks. */
async function rollback(s: Services, node: VersionNode | undefined): Promise<void> {
  s.decisions.trustedFolder('roll back');
  const version = node?.version ?? (await pickVersion(s, 'Roll back to which version?'));
  if (version) inform(await s.decisions.rollback(version));
}

/** A quick pick of versions, newest first. */
async function pickVersion(s: Services, title: string): Promise<Version | undefined> {
  const versions = await s.session.versions();
  const metric = s.session.config().objective.metric;
  const picked = await vscode.window.showQuickPick(
    versions.map((v) => ({ label: `${v.version}  ${v.title}`, description: `${versionMetric(v, metric)} · ${shortDate(v.date)}`, detail: `${v.kind} ${v.commit.slice(0, 8)}`, version: v })),
    { title: `AIAI: ${title}` },
  );
  return picked?.version;
}
