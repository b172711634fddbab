// What the scripts that install a tool into .cache/ (outside git's view) share: the
// folder, and running an install step so that its command shows in the test output.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const CACHE = path.join(ROOT, '.cache');

/** Runs one install step, saying what it runs; npm's own errors go to stderr. */
export function run(tag, command, args, cwd) {
  process.stderr.write(`${tag}: ${command} ${args.join(' ')} (in ${path.relative(ROOT, cwd) || '.'})\n`);
  execFileSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}
