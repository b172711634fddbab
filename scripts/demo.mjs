// `npm run demo [-- EXAMPLE]`: a real VS Code (code-server) on 127.0.0.1 with the packaged aiai
// extension installed, on a fresh git repository holding an example workspace: ticket-triage
// (the default) or support-agent, whose agent calls a model: the real API when ANTHROPIC_API_KEY
// is set, else the SIMULATED model this script serves on loopback (scripts/simulated-model.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDebianPackages } from './debian.mjs';
import { prepareExample } from './example-workspace.mjs';
import { setupCodeServer } from './setup-code-server.mjs';
import { startSimulatedModel } from './simulated-model.mjs';

const root = path.resolve(import.meta.dirname, '..');
const example = process.argv[2] ?? 'ticket-triage';
if (!existsSync(path.join(root, 'examples', example, '.aiai', 'config.json'))) {
  const names = readdirSync(path.join(root, 'examples')).filter((name) => existsSync(path.join(root, 'examples', name, '.aiai', 'config.json')));
  console.error(`no example named "${example}"; the examples: ${names.join(', ')}`);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8080);
const demo = mkdtempSync(path.join(os.tmpdir(), 'aiai-demo-'));
const workspace = prepareExample(example, path.join(demo, example));

// The support agent calls a model: without a key, the simulated one, as its upstream.
const serverEnv = { ...process.env };
let simulated;
if (example === 'support-agent' && !process.env.ANTHROPIC_API_KEY) {
  simulated = await startSimulatedModel();
  serverEnv.ANTHROPIC_BASE_URL = simulated.url;
}

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
  { stdio: ['ignore', 'pipe', 'inherit'], env: serverEnv },
);
server.stdout.on('data', (chunk) => {
  if (!chunk.toString().includes('HTTP server listening')) return;
  console.log(`
aiai demo: VS Code with the aiai extension, on the example agent in ${workspace}

  open  http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}

then press F1 and run "AIAI: Start Improvement Loop"; review with "AIAI: Open Review Panel".
The same workspace from a terminal: node ${path.join(root, 'dist', 'cli.js')} -C ${workspace} list${
    simulated
      ? `

The model is SIMULATED: no ANTHROPIC_API_KEY is set, so the agent's calls go to the simulated model
at ${simulated.url} (scripts/simulated-model.mjs), a stand-in that routes tickets by the words of its
prompt; it is not Claude. The proposer is the built-in parameter search (temperature, max_tokens, model).
Set ANTHROPIC_API_KEY to run against the real API, with a model proposing prompt changes.`
      : example === 'support-agent'
        ? `

The agent calls the real API${process.env.ANTHROPIC_BASE_URL ? ` at ${process.env.ANTHROPIC_BASE_URL}` : ''}, with your ANTHROPIC_API_KEY, through aiai's gateway.`
        : ''
  }
Ctrl-C stops the server.`);
});
process.on('SIGINT', () => server.kill('SIGTERM'));
server.on('exit', async (code) => {
  await simulated?.close();
  process.exit(code ?? 0);
});
