// `npm run demo`: the example workspace in a fresh git repository, improved by the loop.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const workspace = mkdtempSync(path.join(os.tmpdir(), 'aiai-demo-'));
cpSync(path.join(root, 'examples', 'ticket-triage'), workspace, { recursive: true });

const git = (...args) => execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
git('init', '-q', '-b', 'main');
git('config', 'user.name', 'aiai demo');
git('config', 'user.email', 'demo@aiai.local');
git('add', '-A');
git('commit', '-q', '-m', 'ticket-triage agent');

console.log(`example workspace: ${workspace}\n`);
execFileSync(process.execPath, [cli, 'run', '--iterations', '10'], { cwd: workspace, stdio: 'inherit' });
console.log(`
Next, in ${workspace}:
  node ${cli} list
  node ${cli} show ID
  node ${cli} approve ID
  node ${cli} versions
  node ${cli} rollback v0`);
