// `npm run demo`: a real VS Code (code-server) on 127.0.0.1 with the packaged aiai
// extension installed, on a fresh git repository holding the example workspace.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDebianPackages } from './debian.mjs';
import { setupCodeServer } from './setup-code-server.mjs';

const root = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 8080);
const demo = mkdtempSync(path.join(os.tmpdir(), 'aiai-demo-'));
const workspace = path.join(demo, 'ticket-triage');
cpSync(path.join(root, 'examples', 'ticket-triage'), workspace, { recursive: true });

const git = (...args) => execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
git('init', '-q', '-b', 'main');
git('config', 'user.name', 'aiai demo');
git('config', 'user.email', 'demo@aiai.local');
git('add', '-A');
git('commit', '-q', '-m', 'ticket-triage agent');

// Evaluations run in a bubblewrap sandbox where it is installed.
ensureDebianPackages(['bubblewrap']);
const entry = setupCodeServer();
const userData = path.join(demo, 'vscode');
const extensions = path.join(demo, 'extensions');
mkdirSync(path.join(userData, 'User'), { recursive: true });
writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false }));
writeFileSync(path.join(demo, 'config.yaml'), 'auth: none\n');
execFileSync(process.execPath, [entry, '--extensions-dir', extensions, '--install-extension', path.join(root, 'aiai.vsix')], { stdio: 'ignore' });

const server = spawn(
  process.execPath,
  [entry, '--config', path.join(demo, 'config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--user-data-dir', userData, '--extensions-dir', extensions, workspace],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
server.stdout.on('data', (chunk) => {
  if (!chunk.toString().includes('HTTP server listening')) return;
  console.log(`
aiai demo: VS Code with the aiai extension, on the example agent in ${workspace}

  open  http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}

then press F1 and run "AIAI: Start Improvement Loop"; review with "AIAI: Open Review Panel".
The same workspace from a terminal: node ${path.join(root, 'dist', 'cli.js')} -C ${workspace} list
Ctrl-C stops the server.`);
});
process.on('SIGINT', () => server.kill('SIGTERM'));
server.on('exit', (code) => process.exit(code ?? 0));
