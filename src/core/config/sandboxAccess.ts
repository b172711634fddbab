import * as path from 'node:path';

/*
 * What an evaluation may see beyond its worktree, as the config grants it:
 * variables (`sandbox.env`) and paths (`sandbox.readable`). A path is absolute, or
 * `~/…` under the home folder (wherever that is: on a Slurm node, the job's).
 */

export interface SandboxAccess {
  /** Variables of aiai's environment an evaluation inherits (names), or values set for it (name to value), beyond the few every one gets. */
  env: string[] | Record<string, string>;
  /** Paths an evaluation may read although they lie in the home folder or the person's checkout: absolute, or `~/…`. */
  readable: string[];
}

/** Whether `name` can be a variable of a shell (letters, digits and _, not starting with a digit). */
export function isVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** `~` and `~/…` in the home folder `home`; any other path as it is. */
export function inHome(entry: string, home: string): string {
  if (entry === '~') return home;
  return entry.startsWith('~/') ? path.join(home, entry.slice(2)) : entry;
}

/** What is wrong with sandbox.env and sandbox.readable, each with where it stands under "sandbox" (`key`: at the key rather than its value). */
export function sandboxAccessProblems(sandbox: SandboxAccess, modelKeys: readonly string[]): Array<{ location: Array<string | number>; message: string; key: boolean }> {
  const problems: Array<{ location: Array<string | number>; message: string; key: boolean }> = [];
  const names = Array.isArray(sandbox.env) ? sandbox.env.map((name, i) => ({ name, location: ['env', i], key: false })) : Object.keys(sandbox.env).map((name) => ({ name, location: ['env', name], key: true }));
  for (const { name, location, key } of names) {
    if (!isVariableName(name)) problems.push({ location, key, message: `sandbox.env: "${name}" is not a variable name (letters, digits and _, not starting with a digit)` });
    else if (modelKeys.includes(name)) {
      problems.push({ location, key, message: `sandbox.env: "${name}" holds a model's key, which never enters an eval: evals call their model through aiai's gateway, with a stand-in key` });
    }
  }
  sandbox.readable.forEach((entry, i) => {
    if (!path.isAbsolute(entry) && entry !== '~' && !entry.startsWith('~/')) {
      problems.push({ location: ['readable', i], key: false, message: `sandbox.readable: "${entry}" must be an absolute path, or start with ~/ for a path in the home folder` });
    }
  });
  return problems;
}
