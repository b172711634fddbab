import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A relay between two addresses, each `tcp:HOST:PORT` or `unix:PATH`. With a command
 * after them, it runs in front of an eval inside a sandbox without network: it listens
 * on 127.0.0.1:PORT in the sandbox's own network namespace, pipes each connection to
 * the gateway's unix socket bound into the sandbox, points the eval's base URLs at
 * itself, then runs the eval as its child and ends as it ends. So the gateway is the
 * one address an eval can reach. Without a command (on a Slurm node, outside the
 * sandbox) it relays that socket to the gateway's address until it is killed.
 */
const BRIDGE_SOURCE = String.raw`'use strict';
const net = require('net');
const { spawn } = require('child_process');
const [listen, target, ...command] = process.argv.slice(2);
const parse = (spec) => {
  if (spec.startsWith('unix:')) return { path: spec.slice(5) };
  const at = spec.lastIndexOf(':');
  return { host: spec.slice(4, at), port: Number(spec.slice(at + 1)) };
};
const to = parse(target);
const server = net.createServer((inside) => {
  const outside = net.connect(to);
  const end = () => { inside.destroy(); outside.destroy(); };
  inside.pipe(outside).on('error', end);
  outside.pipe(inside).on('error', end);
  inside.on('error', end);
  outside.on('error', end);
});
server.on('error', (error) => {
  console.error('aiai: the model gateway could not be offered to the eval: ' + error.message);
  process.exit(70);
});
const at = parse(listen);
server.listen(at.path !== undefined ? at.path : { host: at.host, port: at.port }, () => {
  if (command.length === 0) return;
  const env = { ...process.env };
  if (env.AIAI_BRIDGE_RUNS_AS_NODE) { delete env.AIAI_BRIDGE_RUNS_AS_NODE; delete env.ELECTRON_RUN_AS_NODE; }
  for (const name of ['ANTHROPIC_BASE_URL', 'OPENAI_BASE_URL']) {
    if (env[name]) env[name] = env[name].replace(/^https?:\/\/[^/]+/, 'http://' + at.host + ':' + at.port);
  }
  const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  for (const signal of signals) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => { console.error('aiai: could not start the eval: ' + error.message); process.exit(127); });
  child.on('exit', (code, signal) => {
    server.close();
    // Ended by a signal: the shell's way of saying so, 128 + its number (Node cannot re-raise some, such as SIGPIPE).
    process.exit(signal ? 128 + (require('os').constants.signals[signal] || 0) : code);
  });
});
`;

/** The bridge's file name in an eval's temp folder. */
const BRIDGE_FILE = 'aiai-gateway-bridge.cjs';

/** What runs the bridge: the program running aiai, which is Node, or Electron told to act as Node. */
export interface BridgeProgram {
  argv: string[];
  env: Record<string, string>;
}

/** Writes the bridge into the eval's temp folder (which the sandbox binds) and gives the program that runs it. */
function bridge(scratch: string, listen: string, target: string): BridgeProgram {
  const file = path.join(scratch, BRIDGE_FILE);
  writeFileSync(file, BRIDGE_SOURCE);
  const electron = process.versions.electron !== undefined;
  return { argv: [process.execPath, file, listen, target], env: electron ? { ELECTRON_RUN_AS_NODE: '1', AIAI_BRIDGE_RUNS_AS_NODE: '1' } : {} };
}

/** The bridge in front of an eval, serving the gateway's `socket` at 127.0.0.1:`port` inside the sandbox. */
export function bridgeLauncher(scratch: string, port: number, socket: string): BridgeProgram {
  return bridge(scratch, `tcp:127.0.0.1:${port}`, `unix:${socket}`);
}

/** The relay on a cluster's node: `socket`, which the sandbox sees, to the gateway at `host`:`port`. */
export function bridgeRelay(scratch: string, socket: string, host: string, port: number): BridgeProgram {
  return bridge(scratch, `unix:${socket}`, `tcp:${host}:${port}`);
}

/** The argv that runs a bridge with its variables, for a shell script (a Slurm job's). */
export function withVariables(program: BridgeProgram): string[] {
  const variables = Object.entries(program.env).map(([name, value]) => `${name}=${value}`);
  return variables.length > 0 ? ['env', ...variables, ...program.argv] : program.argv;
}
