/*
 * What git, as aiai runs it, takes from around it: the caller's environment, but
 * nothing that redirects git, and no hook.
 */

/**
 * Variables that would point git at another repository, index or object store (a
 * hook's GIT_DIR, say). The rest of GIT_* stays: the developer's identity
 * (GIT_AUTHOR_*, GIT_COMMITTER_*), ssh and config settings are theirs to keep.
 */
const REDIRECTING = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_QUARANTINE_PATH',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
]);

/** The process environment without the variables that would redirect git. */
export function ambientEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !REDIRECTING.has(e[0].toUpperCase())));
}

/**
 * Hooks off: a hook runs unsandboxed, and a relative `core.hooksPath` is resolved
 * in the checkout it runs in, so in an evaluation worktree it runs the candidate's
 * own files (a proposal could rewrite an executable hook under `agent/`). Nothing
 * aiai does to candidates, refs or worktrees is the person's git work.
 */
export const HOOKS_OFF = ['-c', 'core.hooksPath=/dev/null'];
