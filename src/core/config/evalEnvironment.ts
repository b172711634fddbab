import type { SandboxConfig } from './config';
import { isVariableName } from './sandboxAccess';

/** What every eval inherits of aiai's environment: what a shell and its locale need. aiai's own AIAI_* variables are set for it, never inherited. */
const BASE_NAMES = new Set(['PATH', 'HOME', 'LANG', 'TZ', 'TERM', 'USER']);
const BASE_PREFIXES = ['LC_'];
/** The shell's record of itself, which every shell sets anew: withholding it is no news to a person. */
const SHELL_STATE = new Set(['_', 'PWD', 'OLDPWD', 'SHLVL']);

/**
 * An eval's variables in two parts: the names it inherits from `source` (the base
 * names, then those `sandbox.env` lists), and the values set for it (what `sandbox.env`
 * maps, then aiai's `own` on top). A Slurm job receives the first by name, so that
 * their values never lie in its script.
 */
export function evalVariables(source: NodeJS.ProcessEnv, passed: SandboxConfig['env'], own: Record<string, string>): { inherited: string[]; assigned: Record<string, string> } {
  const assigned = { ...(Array.isArray(passed) ? {} : passed), ...own };
  const inherited = Object.keys(source).filter((name) => source[name] !== undefined && !(name in assigned) && inherits(name, passed));
  return { inherited: inherited.sort(), assigned };
}

/** The whole environment of an eval: nothing of `source` but what it may inherit. */
export function evalEnvironment(source: NodeJS.ProcessEnv, passed: SandboxConfig['env'], own: Record<string, string>): Record<string, string> {
  const { inherited, assigned } = evalVariables(source, passed, own);
  return { ...Object.fromEntries(inherited.map((name) => [name, source[name]!])), ...assigned };
}

/** The names of `source` whose values no eval sees (a name sandbox.env sets a value for is not one), sorted. */
export function withheldNames(source: NodeJS.ProcessEnv, passed: SandboxConfig['env']): string[] {
  const set = Array.isArray(passed) ? {} : passed;
  return Object.keys(source)
    .filter((name) => source[name] !== undefined && !SHELL_STATE.has(name) && !inherits(name, passed) && !(name in set))
    .sort();
}

function inherits(name: string, passed: SandboxConfig['env']): boolean {
  if (Array.isArray(passed) && passed.includes(name)) return true;
  return BASE_NAMES.has(name) || (BASE_PREFIXES.some((prefix) => name.startsWith(prefix)) && isVariableName(name));
}
