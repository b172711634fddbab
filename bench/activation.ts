// The extension's activation as VS Code times it: loading its bundle and its activate(), in a real extension host.
// Alone: `node --import tsx bench/activation.ts [--against FOLDER] [--runs N]` (FOLDER: another build of the extension, e.g. an older commit's worktree, measured in turn with this one).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { agentWorkspace } from '../test/fixtures/agentWorkspace';
import { ROOT, tempDir, waitForFile } from '../test/helpers';
import { CHROMIUM_ARGS, chromiumPath, startCodeServer } from '../test/vscode/codeServer';

/** How the extension came to be activated: as the window opened, or by a first use (its first command or view, as before .aiai/config.json started it). */
export type Trigger = 'window' | 'first-use';

export interface Activation {
  /** Loading the extension's code (VS Code's willLoadExtensionCode to didLoadExtensionCode), ms. */
  loadMs: number;
  /** Its activate() (willActivateExtension to didActivateExtension), ms. */
  activateMs: number;
  /** Both: what the extension costs the host at that moment. */
  totalMs: number;
}

/**
 * Run in the extension host in place of the integration suites (extensionTestsPath):
 * activates the extension when VS Code has not (a first use), then reads VS Code's
 * own marks of that activation, those Developer: Show Running Extensions shows.
 */
const PROBE = `const vscode = require('vscode');
const { writeFileSync } = require('node:fs');
exports.run = async function () {
  const extension = vscode.extensions.getExtension('aiai.aiai');
  const activeAtOpen = extension.isActive;
  if (!activeAtOpen) await extension.activate();
  const marks = globalThis.MonacoPerformanceMarks.getMarks();
  const at = (mark) => marks.find((m) => m.name === 'code/extHost/' + mark + '/aiai.aiai').startTime;
  writeFileSync(process.env.AIAI_ACTIVATION_RESULT, JSON.stringify({
    activeAtOpen,
    loadMs: at('didLoadExtensionCode') - at('willLoadExtensionCode'),
    activateMs: at('didActivateExtension') - at('willActivateExtension'),
  }));
};
`;

/**
 * One activation of the extension built in `folder` (ROOT by default), in a fresh
 * code-server window on a small agent workspace. `window`: the workspace has
 * .aiai/config.json, so an extension that declares workspaceContains:.aiai/config.json
 * starts as the window opens; `first-use`: it has none, and the probe activates the
 * extension as its first command would.
 */
export async function activationOnce(trigger: Trigger, folder = ROOT): Promise<Activation> {
  const workspace = agentWorkspace({ config: { budget: { iterations: 4 } } });
  if (trigger === 'first-use') rmSync(path.join(workspace, '.aiai', 'config.json'));
  const dir = tempDir('aiai-activation-');
  const probe = path.join(dir, 'probe.js');
  writeFileSync(probe, PROBE);
  const result = path.join(dir, 'result.json');
  const server = await startCodeServer({ env: { AIAI_ACTIVATION_RESULT: result } });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const remote = (p: string): string => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(folder)],
      ['extensionTestsPath', remote(probe)],
    ];
    const page = await browser.newPage();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { timeout: 120_000 });
    await waitForFile(result, 120_000);
  } finally {
    await browser.close();
    await server.stop();
  }
  const measured = JSON.parse(readFileSync(result, 'utf8')) as { activeAtOpen: boolean; loadMs: number; activateMs: number };
  if (measured.activeAtOpen !== (trigger === 'window')) throw new Error(`the extension in ${folder} was ${measured.activeAtOpen ? '' : 'not '}active as the window opened`);
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  return { loadMs: round(measured.loadMs), activateMs: round(measured.activateMs), totalMs: round(measured.loadMs + measured.activateMs) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round(((sorted[mid - 1]! + sorted[mid]!) / 2) * 10) / 10;
}

/** `runs` activations of each series, interleaved (one of each in turn), so that a busy moment of the machine falls on all of them alike. */
export async function activationSeries(series: Record<string, { trigger: Trigger; folder: string }>, runs: number): Promise<Record<string, Activation[]>> {
  const results: Record<string, Activation[]> = Object.fromEntries(Object.keys(series).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, { trigger, folder }] of Object.entries(series)) {
      const a = await activationOnce(trigger, folder);
      results[name]!.push(a);
      console.error(`${name} #${i + 1}: ${a.totalMs} ms (loading ${a.loadMs}, activate() ${a.activateMs})`);
    }
  }
  return results;
}

export function summary(runs: Activation[]): string {
  const totals = runs.map((r) => r.totalMs);
  return `${median(totals)} ms (of ${runs.length}: ${Math.min(...totals)} to ${Math.max(...totals)} ms; loading ${median(runs.map((r) => r.loadMs))} ms, activate() ${median(runs.map((r) => r.activateMs))} ms)`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { against: { type: 'string' }, runs: { type: 'string', default: '7' } } });
  const series: Record<string, { trigger: Trigger; folder: string }> = {};
  if (values.against) series[`${values.against}, at first use`] = { trigger: 'first-use', folder: path.resolve(values.against) };
  series['this folder, at first use'] = { trigger: 'first-use', folder: ROOT };
  series['this folder, as the window opens'] = { trigger: 'window', folder: ROOT };
  const results = await activationSeries(series, Number(values.runs));
  for (const [name, runs] of Object.entries(results)) console.log(`${name}: ${summary(runs)}`);
  console.log(JSON.stringify(results));
}

if (require.main === module) void main();
