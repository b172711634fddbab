import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../helpers';

/*
 * The three powers, held apart by the import graph. Every import counts: static,
 * type-only, re-exports and dynamic import(), read with TypeScript's own scanner.
 */

const SRC = path.join(ROOT, 'src');
const CORE = path.join(SRC, 'core');
const WEBVIEW = path.join(ROOT, 'webview');

/** Every module a file names: package names as written, relative ones as absolute paths. */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName }) => (fileName.startsWith('.') ? resolve(path.dirname(file), fileName) : fileName));
}

function resolve(dir: string, specifier: string): string {
  const base = path.resolve(dir, specifier);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((p) => existsSync(p)) ?? base;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

const inside = (dir: string) => (file: string): boolean => file.startsWith(`${dir}${path.sep}`);
const rel = (file: string): string => path.relative(ROOT, file);

/** Every file reachable from `start` through imports of any kind. */
function reachable(start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !file.endsWith('.ts') || !existsSync(file)) return;
    seen.add(file);
    for (const target of importsOf(file)) visit(target);
  };
  visit(start);
  return seen;
}

/** Import circles among `files`, each as the list of files around it. */
function circles(files: string[]): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[][] = [];
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of importsOf(file).filter((t) => t.endsWith('.ts') && existsSync(t))) {
      if (state.get(target) === 'open') found.push(stack.slice(stack.indexOf(target)).concat(target));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

function assertNoPath(from: (file: string) => boolean, to: (file: string) => boolean, why: string): void {
  const starts = sources(CORE).filter(from);
  assert.ok(starts.length > 0, 'the rule names files that exist');
  for (const start of starts) {
    const reached = [...reachable(start)].filter(to);
    assert.deepEqual(reached.map(rel), [], `${rel(start)} reaches ${reached.map(rel).join(', ')}: ${why}`);
  }
}

test('the scanner sees every kind of import, dynamic import() included', () => {
  const file = path.join(CORE, 'loop', 'example.ts');
  const text = [
    "import { a } from '../propose/proposer';",
    "import type { B } from '../record/store';",
    "export { c } from '../grade/metrics';",
    "const d = await import('../deploy/approve');",
    "import 'node:fs';",
  ].join('\n');
  assert.deepEqual(importsOf(file, text), [
    path.join(CORE, 'propose', 'proposer.ts'),
    path.join(CORE, 'record', 'store.ts'),
    path.join(CORE, 'grade', 'metrics.ts'),
    path.join(CORE, 'deploy', 'approve.ts'),
    'node:fs',
  ]);
});

test('the engine has a room for each power', () => {
  for (const room of ['propose', 'grade', 'deploy', 'loop', 'record', 'git', 'config']) {
    assert.ok(existsSync(path.join(CORE, room, 'README.md')), `src/core/${room}/README.md says what the room owns`);
    assert.ok(sources(path.join(CORE, room)).length > 0, `src/core/${room} holds code`);
  }
});

test('nothing in propose/, grade/ or the loop reaches deploy/, the code that writes the branch', () => {
  const powers = ['propose', 'grade', 'loop'].map((room) => inside(path.join(CORE, room)));
  assertNoPath((f) => powers.some((p) => p(f)), inside(path.join(CORE, 'deploy')), 'only a person deploys');
});

test('what a person reads is read apart from what writes the branch: review/ reaches no deploy/', () => {
  assertNoPath(inside(path.join(CORE, 'review')), inside(path.join(CORE, 'deploy')), 'the read models only read');
});

test('a proposer reads no record: the loop hands it the attempts it may see (rooms import one way, record/ → propose/)', () => {
  assertNoPath(inside(path.join(CORE, 'propose')), inside(path.join(CORE, 'record')), 'what a proposer sees of earlier candidates is what the loop chose to show');
});

test('a proposer reaches evaluations only through what the loop hands it', () => {
  const runners = ['grade/evaluator.ts', 'grade/sandbox.ts', 'grade/command.ts', 'git/worktrees.ts'].map((f) => path.join(CORE, f));
  assertNoPath(inside(path.join(CORE, 'propose')), (f) => runners.includes(f), 'a proposer may not run commands or evaluations of its own');
});

test('the model gateway, which holds the real keys, reaches no power: it forwards and counts', () => {
  const powers = ['grade', 'propose', 'loop', 'deploy'].map((room) => inside(path.join(CORE, room)));
  assertNoPath(inside(path.join(CORE, 'gateway')), (f) => powers.some((p) => p(f)), 'the gateway decides nothing about a candidate');
});

test('the engine imports neither vscode nor the CLI nor the extension', () => {
  const shells = [inside(path.join(SRC, 'cli')), inside(path.join(SRC, 'extension'))];
  for (const file of sources(CORE)) {
    for (const target of importsOf(file)) {
      assert.notEqual(target, 'vscode', `${rel(file)} imports vscode`);
      assert.ok(!shells.some((s) => s(target)), `${rel(file)} imports ${rel(target)}`);
    }
  }
});

test('the webview imports only the protocol and the helpers both sides share', () => {
  const allowed = (target: string): boolean =>
    !path.isAbsolute(target) || // a package
    inside(WEBVIEW)(target) ||
    inside(path.join(SRC, 'shared'))(target) ||
    target === path.join(SRC, 'protocol.ts') ||
    inside(path.join(ROOT, 'media'))(target);
  for (const file of sources(WEBVIEW)) {
    for (const target of importsOf(file)) assert.ok(allowed(target), `${rel(file)} imports ${rel(target)}`);
  }
  for (const target of importsOf(path.join(SRC, 'protocol.ts'))) {
    assert.ok(inside(path.join(SRC, 'shared'))(target), `src/protocol.ts imports ${rel(target)}: the webview would reach it`);
  }
  for (const file of sources(path.join(SRC, 'shared'))) {
    for (const target of importsOf(file)) assert.ok(inside(path.join(SRC, 'shared'))(target), `${rel(file)} imports ${rel(target)}: shared helpers stand alone`);
  }
});

test('types flow one way: no import circle in src/', () => {
  const found = circles([...sources(SRC), ...sources(WEBVIEW)]);
  assert.deepEqual(found.map((c) => c.map(rel).join(' → ')), []);
});

test('only deploy/ moves a branch: no other module reaches what commits as the developer, stages or fast-forwards', () => {
  const developerBranch = path.join(CORE, 'git', 'developerBranch.ts');
  const deploy = inside(path.join(CORE, 'deploy'));
  for (const file of [...sources(SRC), ...sources(WEBVIEW)].filter((f) => !deploy(f) && f !== developerBranch)) {
    assert.ok(!importsOf(file).includes(developerBranch), `${rel(file)} imports git/developerBranch.ts`);
  }
});

test('every source file stays small enough to read in one sitting (400 lines at most)', () => {
  for (const file of [...sources(SRC), ...sources(WEBVIEW)]) {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    assert.ok(lines <= 400, `${rel(file)} has ${lines} lines`);
  }
});
