import * as vscode from 'vscode';
import { runtimeError } from '../core/common/errors';
import type { Version } from '../core/review/versions';
import { isRecord } from '../shared/read';
import type { CompareRef, Comparison } from '../shared/compare';
import { candidateDelta, shortDate, versionMetric } from './format';
import { gitContentUri } from './gitContent';
import type { WorkspaceSession } from './workspaceSession';

/**
 * AIAI: Compare Candidates… and the review panel's Compare with…: the two sides the
 * command was given (a candidate's id, a Candidates or Versions row, a ref), else the
 * ones the person picks, among the versions of the branch and the candidates; then
 * the comparison panel shows them side by side.
 */
export async function compareCommand(session: WorkspaceSession, panel: { show(a: CompareRef, b: CompareRef): Promise<void> }, first: unknown, second: unknown): Promise<void> {
  const a = refOf(first) ?? (await pickSide(session, 'Compare which candidate or version?'));
  if (!a) return;
  const b = refOf(second) ?? (await pickSide(session, `Compare ${sideText(a)} with…`, a));
  if (b) await panel.show(a, b);
}

/** A side from a command's argument: a ref, a candidate id, or a row of the Candidates or Versions view. */
function refOf(arg: unknown): CompareRef | undefined {
  if (typeof arg === 'string') return { kind: 'candidate', id: arg };
  if (!isRecord(arg)) return undefined;
  if (arg.kind === 'candidate' && typeof arg.id === 'string') return { kind: 'candidate', id: arg.id };
  if (arg.kind === 'version' && typeof arg.commit === 'string') return { kind: 'version', commit: arg.commit };
  // A Candidates row ({ kind: 'candidate', candidate }) or a Versions row ({ version }).
  if (arg.kind === 'candidate' && isRecord(arg.candidate) && typeof arg.candidate.id === 'string') return { kind: 'candidate', id: arg.candidate.id };
  if (isRecord(arg.version) && typeof arg.version.commit === 'string') return { kind: 'version', commit: arg.version.commit };
  return undefined;
}

function sideText(ref: CompareRef): string {
  return ref.kind === 'candidate' ? `candidate ${ref.id}` : `version ${ref.commit.slice(0, 8)}`;
}

type SideItem = vscode.QuickPickItem & { ref?: CompareRef };

/**
 * A quick pick of what may be compared: the versions of the branch (newest first),
 * then the candidates awaiting review (the queue's order), then the others, newest
 * first; all but `except`.
 */
async function pickSide(session: WorkspaceSession, title: string, except?: CompareRef): Promise<CompareRef | undefined> {
  const metric = session.config().objective.metric;
  const versions = await session.versions();
  const listing = session.listing();
  const candidates = [...listing.pending, ...listing.candidates.filter((c) => c.status !== 'pending').reverse()];
  const isExcept = (ref: CompareRef): boolean => except !== undefined && (except.kind === 'candidate' ? ref.kind === 'candidate' && ref.id === except.id : ref.kind === 'version' && ref.commit === except.commit);
  const versionItem = (v: Version): SideItem => ({
    label: `${v.version}  ${v.title}`,
    description: `${versionMetric(v, metric)} · ${shortDate(v.date)}`,
    detail: `${v.kind} ${v.commit.slice(0, 8)}`,
    ref: { kind: 'version', commit: v.commit },
  });
  const items: SideItem[] = [
    { label: 'Versions', kind: vscode.QuickPickItemKind.Separator },
    ...versions.map(versionItem),
    { label: 'Candidates', kind: vscode.QuickPickItemKind.Separator },
    ...candidates.map((c): SideItem => ({
      label: c.title,
      description: [c.status, candidateDelta(c), ...c.flags].filter(Boolean).join(' · '),
      detail: `candidate ${c.id}`,
      ref: { kind: 'candidate', id: c.id },
    })),
  ].filter((item) => !item.ref || !isExcept(item.ref));
  const picked = await vscode.window.showQuickPick(items, { title: `AIAI: ${title}`, matchOnDescription: true, matchOnDetail: true });
  return picked?.ref;
}

/** The editable files of A beside B's, in VS Code's diff editor (as Compare with Current does). */
export async function openComparisonDiff(session: WorkspaceSession, c: Comparison): Promise<void> {
  const folder = session.requireFolder();
  const { a, b } = c;
  if (a.commit === null || b.commit === null) throw runtimeError(`${(a.commit === null ? a : b).name} has no commit to compare`);
  if (c.changedPaths.length === 0) {
    void vscode.window.showInformationMessage(`AIAI: the editable files are the same in ${a.name} and ${b.name}.`);
    return;
  }
  const [from, to] = [a.commit, b.commit];
  await vscode.commands.executeCommand(
    'vscode.changes',
    `AIAI ${a.name} ↔ ${b.name}`,
    c.changedPaths.map((file) => [vscode.Uri.file(`${folder}/${file}`), gitContentUri(file, from), gitContentUri(file, to)]),
  );
}
