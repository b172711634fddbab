import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectFiles, readTextIfExists, tryParseJson } from '../common/files';
import { PROMPTFOO_CONFIGS, promptfooFiles } from './promptfooConfig';
import { matcher } from './twoPhase';

/*
 * The test suites and promptfoo configs `aiai init` writes an eval for, each with
 * the command that makes its runner write a report aiai reads. Init checks what it
 * can without running the project's code: that there are tests to run (a suite with
 * none would fail every eval), and that the runner and its reporter are installed.
 */

export type SuiteKind = 'pytest' | 'vitest' | 'jest' | 'go' | 'promptfoo';

export interface TestSuite {
  kind: SuiteKind;
  command: string;
  format: 'junit' | 'promptfoo';
  /** What was found, said to the person: "pytest.ini; 7 tests in 2 files". */
  found: string;
  /** Files a proposer may change that the suite names (promptfoo's prompts). */
  editable: string[];
  /** The tests, their data and the runner's config: no proposal may touch them. */
  protected: string[];
  /** The code files of the tests, whose imports say where the agent is. */
  testFiles: string[];
  /** What to install or check before the first run. */
  notes: string[];
}

/** Enough to find a project's tests; more would only slow init. */
const MAX_ENTRIES = 20000;
const PYTHON_TEST_FILE = /(?:^|\/)(?:test_[^/]*|[^/]*_test)\.py$/;
const JS_TEST_FILE = /(?:^|\/)(?:[^/]+\.(?:test|spec)\.[mc]?[jt]sx?|__tests__\/[^/]+\.[mc]?[jt]sx?)$/;
/** A top folder that holds tests only, protected as a whole. */
const TEST_FOLDER = /^(?:tests?|testing|spec|specs|__tests__|e2e|evals?)$/;
const JS_TEST_GLOBS = ['**/*.test.*', '**/*.spec.*', '**/__tests__/**'];
/**
 * promptfoo in an eval, which has no network and a read-only home folder: no telemetry
 * or update check (offline, their waits made a run of two cases take 41 s instead of 8), and
 * its config folder, where it writes its database, in the eval's own temp folder.
 */
const PROMPTFOO_ENV = 'PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CONFIG_DIR=$TMPDIR/promptfoo';

/** Every test suite and promptfoo config of the workspace, in the order their evals are written. */
export function findTestSuites(workspace: string): TestSuite[] {
  const files = projectFiles(workspace, [''], { maxEntries: MAX_ENTRIES });
  const hasNodeModules = existsSync(path.join(workspace, 'node_modules'));
  return [promptfoo(workspace, hasNodeModules), pytest(workspace, files), ...javascript(workspace, files), go(workspace, files)].filter((s): s is TestSuite => s !== undefined);
}

function pytest(workspace: string, files: string[]): TestSuite | undefined {
  const configs = [
    existsSync(path.join(workspace, 'pytest.ini')) ? 'pytest.ini' : undefined,
    /^\[tool\.pytest/m.test(readTextIfExists(path.join(workspace, 'pyproject.toml')) ?? '') ? 'pyproject.toml' : undefined,
    /^\[tool:pytest\]/m.test(readTextIfExists(path.join(workspace, 'setup.cfg')) ?? '') ? 'setup.cfg' : undefined,
    /^\[pytest\]/m.test(readTextIfExists(path.join(workspace, 'tox.ini')) ?? '') ? 'tox.ini' : undefined,
  ].filter((c): c is string => c !== undefined);
  const conftests = files.filter((f) => f === 'conftest.py' || f.endsWith('/conftest.py'));
  const testFiles = files.filter((f) => PYTHON_TEST_FILE.test(f));
  const tests = testFiles.reduce((n, f) => n + (readTextIfExists(path.join(workspace, f))?.match(/^\s*(?:async\s+)?def\s+test\w*\s*\(/gm)?.length ?? 0), 0);
  // A folder of test_*.py files with no test function in them is no suite: pytest would collect nothing.
  if (tests === 0) return undefined;
  const testPatterns = testGlobs(testFiles, ['**/test_*.py', '**/*_test.py']);
  const notes: string[] = [];
  // Asked outside the workspace, whose files python3 would otherwise find first (a sitecustomize.py, a pytest.py).
  const finds = spawnSync('python3', ['-c', "import importlib.util, sys; sys.exit(importlib.util.find_spec('pytest') is None)"], { cwd: os.tmpdir(), stdio: 'ignore', timeout: 20_000 });
  if (finds.status !== 0) notes.push('pytest: python3 here cannot import pytest; install it (pip install pytest, or Debian\'s python3-pytest) before `aiai run`');
  if (existsSync(path.join(workspace, '.venv', 'bin', 'python'))) notes.push('pytest: the eval runs python3 from PATH; to run your .venv instead, make the command ".venv/bin/python -m pytest …" and add ".venv" to "shared"');
  return {
    kind: 'pytest',
    command: 'python3 -m pytest -q --junitxml=$AIAI_REPORT_FILE',
    format: 'junit',
    found: `${[...configs, ...conftests].join(', ')}${configs.length + conftests.length > 0 ? '; ' : ''}${count(tests, 'test')} in ${named(testFiles)}`,
    editable: [],
    protected: [...new Set([...configs, ...conftests.filter((f) => !matcher(testPatterns)(f)), ...testPatterns])],
    testFiles,
    notes,
  };
}

/** vitest and jest, as package.json names them in its dependencies or scripts. */
function javascript(workspace: string, files: string[]): TestSuite[] {
  const pkg = tryParseJson(readTextIfExists(path.join(workspace, 'package.json')) ?? '') as { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; scripts?: Record<string, string> } | undefined;
  if (!pkg) return [];
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const scripts = Object.values(pkg.scripts ?? {});
  const uses = (runner: string): boolean => runner in deps || scripts.some((s) => new RegExp(`(?:^|[\\s;&|(])(?:npx\\s+)?${runner}(?:\\s|$)`).test(s));
  const testFiles = files.filter((f) => JS_TEST_FILE.test(f));
  if (testFiles.length === 0) return [];
  const configs = (runner: string): string[] => files.filter((f) => new RegExp(`^${runner}\\.config\\.[mc]?[jt]s(?:on)?$`).test(f));
  const found = (runner: string, where: string): string => `package.json (${where}); ${[...configs(runner), ...(runner === 'vitest' ? configs('vite') : [])].map((c) => `${c}; `).join('')}test files ${named(testFiles)}`;
  const where = (runner: string): string => (runner in deps ? (pkg.devDependencies && runner in pkg.devDependencies ? 'devDependencies' : 'dependencies') : 'scripts');
  const installed = (runner: string): string[] =>
    existsSync(path.join(workspace, 'node_modules', '.bin', runner)) ? [] : [`${runner}: not installed here (no node_modules/.bin/${runner}): run npm install before \`aiai run\`; evaluations run without the network, so npx cannot fetch it`];
  const suites: TestSuite[] = [];
  // package.json holds the runner's settings and scripts: a change to it could change which tests run.
  const protectedFiles = (runner: string): string[] => [...new Set([...testGlobs(testFiles, JS_TEST_GLOBS), 'package.json', ...configs(runner), ...(runner === 'vitest' ? configs('vite') : [])])];
  if (uses('vitest')) {
    suites.push({ kind: 'vitest', command: 'npx vitest run --reporter=junit --outputFile=$AIAI_REPORT_FILE', format: 'junit', found: found('vitest', where('vitest')), editable: [], protected: protectedFiles('vitest'), testFiles, notes: installed('vitest') });
  }
  if (uses('jest')) {
    // jest-junit's default class name repeats the test's name ("route spots spam::route spots spam"); the file names it as vitest's does.
    const notes = installed('jest');
    if (!('jest-junit' in deps)) notes.push('jest: its JUnit report comes from jest-junit, which package.json does not name: npm install --save-dev jest-junit before `aiai run`');
    suites.push({ kind: 'jest', command: "JEST_JUNIT_OUTPUT_FILE=$AIAI_REPORT_FILE JEST_JUNIT_CLASSNAME='{filepath}' npx jest --reporters=default --reporters=jest-junit", format: 'junit', found: found('jest', where('jest')), editable: [], protected: protectedFiles('jest'), testFiles, notes });
  }
  return suites;
}

/** A Go module with tests: `go test -v` through go-junit-report, or gotestsum where it is installed. */
function go(workspace: string, files: string[]): TestSuite | undefined {
  if (!existsSync(path.join(workspace, 'go.mod'))) return undefined;
  const testFiles = files.filter((f) => f.endsWith('_test.go'));
  const tests = testFiles.reduce((n, f) => n + (readTextIfExists(path.join(workspace, f))?.match(/^func\s+Test\w*\s*\(/gm)?.length ?? 0), 0);
  if (tests === 0) return undefined;
  const gotestsum = onPath('gotestsum');
  const notes: string[] = [];
  if (!onPath('go')) notes.push('go: not on PATH here; install Go before `aiai run`');
  if (!gotestsum && !onPath('go-junit-report')) {
    notes.push('go: `go test` writes no JUnit XML, and go-junit-report, which turns its output into JUnit XML, is not on PATH: install it (go install github.com/jstemmer/go-junit-report/v2@latest) before `aiai run`');
  }
  return {
    kind: 'go',
    command: gotestsum ? 'gotestsum --junitfile $AIAI_REPORT_FILE -- ./...' : 'go test ./... -v 2>&1 | go-junit-report > $AIAI_REPORT_FILE',
    format: 'junit',
    found: `go.mod; ${count(tests, 'test')} in ${named(testFiles)}`,
    // Go's tests sit beside the code they test: the code is editable, the tests and their data are not.
    editable: ['**/*.go'],
    protected: ['**/*_test.go', '**/testdata/**', 'go.mod', 'go.sum'],
    testFiles: [],
    notes,
  };
}

function promptfoo(workspace: string, hasNodeModules: boolean): TestSuite | undefined {
  const config = PROMPTFOO_CONFIGS.find((c) => existsSync(path.join(workspace, c)));
  if (!config) return undefined;
  const files = promptfooFiles(readTextIfExists(path.join(workspace, config)) ?? '');
  const notes: string[] = [];
  if (files.prompts.length === 0) notes.push(`promptfoo: ${config} names no prompt file (file://…), so no prompt is editable: move the prompts into files for a proposer to change them`);
  else if (files.inlinePrompts) notes.push(`promptfoo: some prompts are written inline in ${config}, which is protected; only those in files are editable`);
  if (files.providers.length > 0) notes.push(`promptfoo: the providers run ${files.providers.join(', ')}; add ${files.providers.length > 1 ? 'them' : 'it'} to "editable" if ${files.providers.length > 1 ? 'they are' : 'it is'} your agent's code`);
  // npx finds a promptfoo in node_modules or npm's global folder, never one elsewhere on PATH
  // (Homebrew's, a tool cache's): without a local one, the eval runs the one on PATH by name.
  const local = hasNodeModules && existsSync(path.join(workspace, 'node_modules', '.bin', 'promptfoo'));
  const onPathAt = local ? undefined : whereOnPath('promptfoo');
  if (onPathAt) notes.push(`promptfoo: runs the promptfoo on PATH (${onPathAt}), as there is no node_modules/.bin/promptfoo here; keep it on PATH for \`aiai run\``);
  else if (!local) notes.push('promptfoo: not installed here (no node_modules/.bin/promptfoo): npm install --save-dev promptfoo before `aiai run`; evaluations run without the network, so npx cannot fetch it');
  return {
    kind: 'promptfoo',
    command: `${PROMPTFOO_ENV} ${onPathAt ? '' : 'npx '}promptfoo eval -c ${config} -o $AIAI_REPORT_FILE --no-cache --no-progress-bar`,
    format: 'promptfoo',
    found: `${config}; ${files.prompts.length > 0 ? `prompts ${files.prompts.join(', ')}` : 'no prompt file'}${files.tests.length > 0 ? `; tests ${files.tests.join(', ')}` : ''}`,
    editable: files.prompts,
    protected: [...new Set([config, ...files.tests])],
    testFiles: [],
    notes,
  };
}

/**
 * Globs that protect the test files: a top folder of tests as a whole (its fixtures
 * and data with it), and test files that sit beside the agent's code by their names.
 */
function testGlobs(testFiles: string[], nameGlobs: string[]): string[] {
  const tops = testFiles.map((f) => f.split('/')[0]!).filter((top, i) => top !== testFiles[i] && TEST_FOLDER.test(top));
  const beside = testFiles.some((f) => !tops.includes(f.split('/')[0]!));
  return [...new Set([...tops.map((top) => `${top}/**`), ...(beside ? nameGlobs : [])])];
}

/** Whether a program is on PATH (init only looks; it runs none of them). */
function onPath(program: string): boolean {
  return whereOnPath(program) !== undefined;
}

/** The first file of that name on PATH. */
function whereOnPath(program: string): string | undefined {
  return (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, program)).find((file) => path.isAbsolute(file) && statSync(file, { throwIfNoEntry: false })?.isFile());
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The test files, the first few named, for the person to recognise. */
function named(files: string[]): string {
  return files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')}, … (${files.length} files)`;
}
