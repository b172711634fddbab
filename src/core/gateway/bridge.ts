import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Runs inside a sandbox without network, in front of the eval: it listens on
 * 127.0.0.1:PORT in the sandbox's own network namespace, pipes each connection to
 * the gateway's unix socket bound into the sandbox, then runs the eval as its child
 * and ends as it ends. So the gateway is the one address an eval can reach.
 */
const BRIDGE_SOURCE = String.raw`'use strict';
const net = require('net');
const { spawn } = require('child_process');
const [port, socket, ...command] = process.argv.slice(2);
const server = net.createServer((inside) => {
  const gateway = net.connect(socket);
  const end = () => { inside.destroy(); gateway.destroy(); };
  inside.pipe(gateway).on('error', end);
  gateway.pipe(inside).on('error', end);
  inside.on('error', end);
  gateway.on('error', end);
});
server.on('error', (error) => {
  console.error('aiai: the model gateway could not be offered inside the sandbox: ' + error.message);
  process.exit(70);
});
server.listen(Number(port), '127.0.0.1', () => {
  if (process.env.AIAI_BRIDGE_RUNS_AS_NODE) { delete process.env.AIAI_BRIDGE_RUNS_AS_NODE; delete process.env.ELECTRON_RUN_AS_NODE; }
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const signal of signals) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => { console.error('aiai: could not start the eval: ' + error.message); process.exit(127); });
  child.on('exit', (code, signal) => {
    server.close();
    if (signal) { for (const s of signals) process.removeAllListeners(s); process.kill(process.pid, signal); }
    process.exit(code === null ? 1 : code);
  });
});
`;

/** The bridge's file name in an eval's temp folder. */
const BRIDGE_FILE = 'aiai-gateway-bridge.cjs';

/**
 * Writes the bridge into the eval's temp folder (which the sandbox binds) and gives
 * the argv that runs it in front of the eval, with the variables it needs: the
 * program running aiai is Node, or Electron told to act as Node.
 */
export function bridgeLauncher(scratch: string, port: number, socket: string): { argv: string[]; env: Record<string, string> } {
  const file = path.join(scratch, BRIDGE_FILE);
  writeFileSync(file, BRIDGE_SOURCE);
  const electron = process.versions.electron !== undefined;
  return {
    argv: [process.execPath, file, String(port), socket],
    env: electron ? { ELECTRON_RUN_AS_NODE: '1', AIAI_BRIDGE_RUNS_AS_NODE: '1' } : {},
  };
}
