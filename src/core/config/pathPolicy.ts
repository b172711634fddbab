import picomatch from 'picomatch';
import { ALWAYS_PROTECTED, type Config } from './config';

/** Which workspace paths a proposal may change, decided by the config's globs. */
export interface PathPolicy {
  isEditable(file: string): boolean;
  isProtected(file: string): boolean;
  isContext(file: string): boolean;
  /** The protected globs, those every workspace has included. */
  protectedGlobs: string[];
}

export function pathPolicy(config: Pick<Config, 'editable' | 'protected' | 'context'>): PathPolicy {
  const options = { dot: true };
  const editable = picomatch(config.editable, options);
  const protectedPaths = picomatch([...ALWAYS_PROTECTED, ...config.protected], options);
  const context = config.context.length > 0 ? picomatch(config.context, options) : () => false;
  return {
    isEditable: (file) => editable(file),
    isProtected: (file) => protectedPaths(file) || file.split('/').includes('.git'),
    isContext: (file) => context(file),
    protectedGlobs: [...ALWAYS_PROTECTED, ...config.protected],
  };
}
