import type { Config } from '../config/config';
import { pathPolicy } from '../config/pathPolicy';
import { usageError } from '../common/errors';
import { shortSha, type Git } from '../git/git';
import type { Store } from '../record/store';
import { land } from './landing';
import { deploying, refuseDirty, requireBranch, type Actor, type Workspace } from './preconditions';
import { listVersions, ROLLBACK_TRAILER, type Version } from '../review/versions';
import { commitAsDeveloper } from '../git/developerBranch';

export type RollbackResult = { target: Version | { version: string; commit: string }; commit: string | undefined };

/** Restores the editable files as they were at `version` (vN, "baseline", or a commit of the branch) in a new commit. */
export function rollback(workspace: string, version: string, options: Actor): Promise<RollbackResult> {
  return deploying(workspace, 'rollback', options.onNotice, (opened) => rollbackHeld(opened, version, options));
}

async function rollbackHeld({ git, store, config }: Workspace, version: string, options: Actor): Promise<RollbackResult> {
  const { branch, head } = await requireBranch(git, 'roll back');
  const target = await resolveVersion(git, store, config, version);
  const policy = pathPolicy(config);

  refuseDirty(await git.dirtyPaths(), (p) => policy.isEditable(p), 'roll back', 'editable files');

  const wanted = (await git.lsTree(target.commit)).filter((e) => policy.isEditable(e.path));
  const current = (await git.lsTree(head)).filter((e) => policy.isEditable(e.path));
  const wantedByPath = new Map(wanted.map((e) => [e.path, e]));
  const currentByPath = new Map(current.map((e) => [e.path, e]));
  const changes = [
    ...wanted.filter((e) => currentByPath.get(e.path)?.sha !== e.sha || currentByPath.get(e.path)?.mode !== e.mode),
    ...current.filter((e) => !wantedByPath.has(e.path)).map((e) => ({ path: e.path, content: null })),
  ];
  if (changes.length === 0) return { target, commit: undefined };

  const tree = await git.buildTree(head, changes);
  const message =
    `aiai: roll back to ${target.version}\n\n` +
    `Restores the editable files (${config.editable.join(', ')}) as they were at ${target.version} (${shortSha(target.commit)}).\n\n` +
    `${ROLLBACK_TRAILER}: ${target.version} ${target.commit}\n`;
  const commit = await commitAsDeveloper(git, tree, [head], message);
  await land(git, store, { op: 'rollback', branch, from: head, to: commit, by: options.by, detail: `to ${target.version} (${target.commit})`, startedAt: new Date().toISOString() });
  return { target, commit };
}

async function resolveVersion(git: Git, store: Store, config: Config, version: string): Promise<Version | { version: string; commit: string }> {
  const versions = await listVersions(git, store, config);
  const named = version === 'baseline' ? versions.at(-1) : versions.find((v) => v.version === version);
  if (named) return named;
  const commit = await git.tryRevParse(version);
  if (!commit) throw usageError(`no version "${version}"; \`aiai versions\` lists them (v0 is the baseline), or give a commit of the branch`);
  if (!(await git.isAncestor(commit, 'HEAD'))) throw usageError(`commit ${shortSha(commit)} is not in the history of the checked-out branch`);
  return versions.find((v) => v.commit === commit) ?? { version: shortSha(commit), commit };
}
