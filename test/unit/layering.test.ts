import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers';

const CORE = path.join(ROOT, 'src', 'core');

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
}

/** Every core module reachable from `start` through value imports (type-only imports carry no code). */
function reachable(start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = readFileSync(path.join(CORE, `${name}.ts`), 'utf8');
    for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'\.\/([^']+)'/gms)) {
      if (!m[1]) visit(m[2]!);
    }
  };
  visit(start);
  return seen;
}

test('the engine imports nothing from vscode', () => {
  for (const file of readdirSync(CORE)) {
    assert.ok(!importsOf(path.join(CORE, file)).includes('vscode'), `${file} imports vscode`);
  }
});

test('the loop has no path to the code that writes the developer\'s branch', () => {
  const fromLoop = reachable('loop');
  assert.ok(fromLoop.has('evaluator') && fromLoop.has('git'), 'the walk follows imports');
  assert.ok(!fromLoop.has('deploy'), `the loop reaches deploy.ts through ${[...fromLoop].join(', ')}`);
});

test('only deploy.ts moves a branch: no other module fast-forwards or makes commits as the developer', () => {
  for (const file of readdirSync(CORE).filter((f) => f !== 'deploy.ts' && f !== 'git.ts')) {
    const text = readFileSync(path.join(CORE, file), 'utf8');
    assert.ok(!/\.fastForward\(/.test(text), `${file} fast-forwards a branch`);
    assert.ok(!/commitTree\([^)]*,\s*true\)/.test(text), `${file} commits as the developer`);
  }
});
