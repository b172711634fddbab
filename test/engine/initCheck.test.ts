import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/core/config/config';
import type { InitResult } from '../../src/core/config/init';
import { needsPytest, ROUTER_PY } from '../fixtures/pytest';
import { cli, cliJson, git, makeRepo, tempDir, writeFiles } from '../helpers';

/*
 * What `aiai init` does after writing a config for a test suite: it grades the current
 * version twice, as `aiai run` grades its baseline (the evaluator, in the sandbox),
 * and sets "repeats" on an eval only where the two gradings differ.
 */

needsPytest();

const TESTS_PY = `from agent.router import route


def test_refund():
    assert route("I want a refund") == "billing"


def test_spam():
    assert route("win a prize") == "spam"
`;

/** Coins: each test passes or fails at random. Two runs agree on all of them with probability 2^-COINS (6e-8). */
const COINS = 24;
const COINS_PY = `import os

import pytest


@pytest.mark.parametrize("coin", range(${COINS}))
def test_coin(coin):
    assert os.urandom(1)[0] < 128
`;

const repo = (extra: Record<string, string> = {}): string =>
  makeRepo({ 'agent/__init__.py': '', 'agent/router.py': ROUTER_PY, 'tests/test_router.py': TESTS_PY, '.gitignore': '__pycache__/\n', ...extra });

test('a deterministic suite: init runs it twice on the current version, in the sandbox, and sets no repeats, saying the runs agreed', () => {
  const dir = repo();
  const init = cli(dir, 'init');
  assert.equal(init.code, 0, init.stderr);
  const lines = init.stdout.split('\n');
  const checking = lines.findIndex((l) => l.startsWith('checking the suite on the current version, twice: pytest'));
  assert.ok(checking > 0, init.stdout);
  assert.equal(lines[checking + 1], '  repeats: none set on eval "pytest": two runs of the current version agreed (pass_rate 0.5, 2 cases)', 'one test of two passes, both times');
  const head = git(dir, 'rev-parse', 'HEAD').slice(0, 8);
  assert.match(lines[checking + 2]!, new RegExp(`^ {2}checked on the current version \\(${head}\\), in the sandbox: 2 evaluations in [\\d.]+ s$`));
  assert.doesNotMatch(readFileSync(path.join(dir, '.aiai', 'config.json'), 'utf8'), /repeats/);
  assert.deepEqual(git(dir, 'worktree', 'list').split('\n').length, 1, 'its worktrees are gone');
});

test('a suite whose tests pass or fail at random: init sets repeats on its eval, names the cases that flipped, and keeps the comments', () => {
  const dir = repo({ 'tests/test_coins.py': COINS_PY });
  const { notes } = cliJson<InitResult>(dir, 'init');
  const note = notes.find((n) => n.startsWith('repeats: '));
  assert.match(note ?? notes.join('\n'), /^repeats: 3 on eval "pytest", whose results differed between two runs of the current version \(.*\b\d+ cases? passed once and failed once: tests\.test_coins::test_coin\[\d+\]/);
  const text = readFileSync(path.join(dir, '.aiai', 'config.json'), 'utf8');
  assert.match(text, /^ {4}\/\/ init ran this eval twice on the current version and its results differed: each evaluation runs it 3 times\n {4}\{ "name": "pytest", .*, "repeats": 3 \}$/m);
  assert.match(text, /^\/\/ aiai configuration, written by `aiai init`/, 'the rest of the text as written');
  assert.deepEqual(loadConfig(dir).evals.map((e) => [e.name, e.repeats]), [['pytest', 3], ['pytest.holdout', 3]], 'both views of the split repeat');
});

test('a workspace without a commit: init writes its config and says it ran no suite', () => {
  const dir = tempDir();
  writeFiles(dir, { 'agent/__init__.py': '', 'agent/router.py': ROUTER_PY, 'tests/test_router.py': TESTS_PY });
  git(dir, 'init', '--quiet');
  const { notes } = cliJson<InitResult>(dir, 'init');
  assert.ok(notes.includes(`repeats: none set; the suite was not run on the current version (the repository at ${dir} has no commits yet; commit your agent first)`), notes.join('\n'));
});
