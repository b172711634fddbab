// Copies an example workspace of this repository (examples/<name>) into a folder and
// makes it a fresh git repository with one commit, ready for aiai: for the demo and the tests.
// An example with a package.json (support-agent, which needs @anthropic-ai/sdk) gets
// node_modules as a link to this repository's node_modules, where the SDK and its own
// dependencies are installed; the example's .gitignore keeps the link out of git, and its
// config's "shared": ["node_modules"] links it into each evaluation worktree.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';

export const AIAI_ROOT = path.resolve(import.meta.dirname, '..');

export function prepareExample(name, dir) {
  const source = path.join(AIAI_ROOT, 'examples', name);
  if (!existsSync(path.join(source, '.aiai', 'config.json'))) throw new Error(`no example workspace named "${name}" in ${path.join(AIAI_ROOT, 'examples')}`);
  mkdirSync(dir, { recursive: true });
  cpSync(source, dir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(source, src).split(path.sep);
      return rel[0] !== 'node_modules' && !(rel[0] === '.aiai' && rel[1] === 'runs');
    },
  });
  if (existsSync(path.join(source, 'package.json'))) symlinkSync(path.join(AIAI_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'aiai demo');
  git('config', 'user.email', 'demo@aiai.local');
  git('add', '-A');
  git('commit', '-q', '-m', `${name} agent`);
  return dir;
}
