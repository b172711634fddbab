/**
 * Errors a user can read. `kind` decides the CLI's exit code: a usage or config
 * error is the user's to fix (2), a runtime failure is the world's (1).
 */
export type ErrorKind = 'usage' | 'config' | 'runtime';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export class AiaiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'AiaiError';
  }
}

export interface ConfigProblem extends SourceLocation {
  message: string;
}

/** One or more problems in a file, each with `file:line:column`. */
export class ConfigError extends AiaiError {
  constructor(readonly problems: ConfigProblem[]) {
    super('config', problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

export function usageError(message: string): AiaiError {
  return new AiaiError('usage', message);
}

export function runtimeError(message: string): AiaiError {
  return new AiaiError('runtime', message);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
