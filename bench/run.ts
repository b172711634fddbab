// `npm run bench`: figures that are targets, not tests. Prints them and writes BENCHMARKS.md.
import { statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CODE_SERVER_VERSION } from '../scripts/setup-code-server.mjs';
import { agentWorkspace } from '../test/fixtures/agentWorkspace';
import { ROOT } from '../test/helpers';
import { runInExtensionHost } from '../test/vscode/extensionHost';

async function main(): Promise<void> {
  const vsixBytes = statSync(path.join(ROOT, 'aiai.vsix')).size;
  const activations: number[] = [];
  for (let i = 0; i < 3; i++) {
    const { metrics } = await runInExtensionHost(agentWorkspace({ config: { budget: { iterations: 4 } } }));
    activations.push(metrics.activationMs!);
  }
  const median = [...activations].sort((a, b) => a - b)[1]!;
  const figures = [
    ['packaged extension (aiai.vsix)', `${(vsixBytes / 1024).toFixed(1)} KiB`],
    ['activation, median of 3 (extension.activate() in the extension host)', `${median} ms (runs: ${activations.join(', ')} ms)`],
  ];
  for (const [name, value] of figures) console.log(`${name}: ${value}`);

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, code-server ${CODE_SERVER_VERSION} (VS Code 1.96)`;
  writeFileSync(
    path.join(ROOT, 'BENCHMARKS.md'),
    `# Benchmarks

Made by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.

| figure | value |
|---|---|
${figures.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}

Method: the size is that of the \`.vsix\` \`npm run package\` makes (the extension, the
review panel's bundle and the schema; no node_modules, everything is bundled by esbuild).
Activation is timed inside a real VS Code extension host (code-server, with the
extension loaded from this folder and a small agent workspace open): the integration
suite calls \`activate()\` on the not yet active extension and measures the call. The
extension has no startup activation events, so this cost is paid on the first AIAI
command or view, not when VS Code starts.
`,
  );
}

void main();
