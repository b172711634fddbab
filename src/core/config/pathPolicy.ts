import picomatch from 'picomatch';
import { ALWAYS_PROTECTED, type Config } from './config';
import { matcher } from './twoPhase';

/** Which workspace paths a proposal may change, decided by the config's globs. */
export interface PathPolicy {
  isEditable(file: string): boolean;
  isProtected(file: string): boolean;
  isContext(file: string): boolean;
  /** Whether only an eval may see the file: an eval's answers (its grader's alone), or a holdout eval's data. */
  isEvalOnly(file: string): boolean;
  /** Why a proposal (or a person's candidate) may not change this path, if it may not: 'protected', or 'outside the editable globs'. */
  whyNotChangeable(file: string): string | undefined;
  /** The protected globs, those every workspace has included. */
  protectedGlobs: string[];
}

export function pathPolicy(config: Pick<Config, 'editable' | 'protected' | 'context'> & Partial<Pick<Config, 'evals'>>): PathPolicy {
  const options = { dot: true };
  const editable = picomatch(config.editable, options);
  const protectedPaths = picomatch([...ALWAYS_PROTECTED, ...config.protected], options);
  const context = config.context.length > 0 ? picomatch(config.context, options) : () => false;
  const isProtected = (file: string): boolean => protectedPaths(file) || file.split('/').includes('.git');
  const evals = config.evals ?? [];
  const evalOnly = matcher([...evals.flatMap((e) => e.answers), ...evals.filter((e) => e.holdout).flatMap((e) => e.data)]);
  return {
    isEditable: (file) => editable(file),
    isProtected,
    isContext: (file) => context(file),
    isEvalOnly: evalOnly,
    whyNotChangeable: (file) => (isProtected(file) ? 'protected' : !editable(file) ? 'outside the editable globs' : undefined),
    protectedGlobs: [...ALWAYS_PROTECTED, ...config.protected],
  };
}
