import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store } from '../../src/core/record/store';
import { cli, configJson, git, makeRepo } from '../helpers';

/*
 * The parameter search in a real workspace, through the CLI: a numeric eval over
 * an integer knob, a choice of model, and a temperature written in two places of
 * a prompt ("all": true).
 */

const SCORE_JS = `
const fs = require('fs');
const p = JSON.parse(fs.readFileSync('agent/params.json', 'utf8'));
const temps = [...fs.readFileSync('agent/prompt.md', 'utf8').matchAll(/temperature (\\d+\\.\\d+)/g)].map((m) => Number(m[1]));
if (new Set(temps).size !== 1) { console.error('the prompt disagrees with itself: ' + temps.join(', ')); process.exit(1); }
const model = { small: 0.3, medium: 0.6, large: 1 }[p.model];
const score = model * Math.exp(-((p.threshold - 7) ** 2) / 20) * Math.exp(-((temps[0] - 0.4) ** 2) / 0.5);
console.log(JSON.stringify({ score: Math.round(score * 1000) / 1000 }));
`;

const PROMPT = 'Answer briefly, at temperature 1.50.\nWhen a tool fails, retry at temperature 1.50.\n';

function workspace(params: Record<string, unknown>, prompt = PROMPT): string {
  return makeRepo({
    'agent/params.json': `${JSON.stringify(params, null, 2)}\n`,
    'agent/prompt.md': prompt,
    'eval/score.js': SCORE_JS,
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'train', command: 'node eval/score.js', timeoutSec: 20 }],
      objective: { eval: 'train', metric: 'score', direction: 'maximize' },
      knobs: [
        { file: 'agent/params.json', jsonPointer: '/threshold', min: 0, max: 12, step: 1 },
        { file: 'agent/params.json', jsonPointer: '/model', choices: ['small', 'medium', 'large'] },
        { name: 'temperature', file: 'agent/prompt.md', pattern: 'temperature (\\d+\\.\\d+)', all: true, min: 0, max: 2, step: 0.1 },
      ],
      proposer: { kind: 'parameter-search', seed: 3 },
    }),
  });
}

test('aiai run --iterations with knobs improves on the start, writing every match of an "all" knob and only values the knobs allow', () => {
  const dir = workspace({ threshold: 1, model: 'small' });
  const head = git(dir, 'rev-parse', 'HEAD');
  const result = cli(dir, 'run', '--iterations', '12');
  assert.equal(result.code, 0, result.stderr);

  const candidates = new Store(dir).candidates();
  assert.equal(candidates.length, 12);
  const start = candidates.find((c) => c.objective)!.objective!.current;
  const best = Math.max(...candidates.filter((c) => c.status === 'pending').map((c) => c.objective!.value));
  assert.ok(best > start + 0.3, `the best candidate scores ${best} against the start's ${start}`);
  for (const c of candidates) {
    assert.equal(c.status === 'failed', false, `${c.id} failed: ${c.reason}`);
    const prompt = git(dir, 'show', `${c.commit}:agent/prompt.md`);
    const temps = [...prompt.matchAll(/temperature (\d+\.\d+)/g)].map((m) => m[1]);
    assert.equal(temps.length, 2);
    assert.equal(temps[0], temps[1], `${c.id}: the temperature is the same in both places`);
    const params = JSON.parse(git(dir, 'show', `${c.commit}:agent/params.json`)) as { threshold: number; model: string };
    assert.ok(Number.isInteger(params.threshold) && params.threshold >= 0 && params.threshold <= 12, `threshold ${params.threshold}`);
    assert.ok(['small', 'medium', 'large'].includes(params.model), `model ${params.model}`);
  }
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head, 'the branch is untouched');
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test('before the baseline, a knob whose value is not one of its choices, or whose places disagree, is refused at its place in the config', () => {
  const notAChoice = workspace({ threshold: 1, model: 'tiny' });
  const a = cli(notAChoice, 'run', '--iterations', '2');
  assert.equal(a.code, 2);
  assert.match(a.stderr, /config\.json:\d+:\d+: knob "model": its value in agent\/params\.json is tiny, not one of its choices "small", "medium", "large"/);

  const disagree = workspace({ threshold: 1, model: 'small' }, 'temperature 1.50\ntemperature 0.70\n');
  const b = cli(disagree, 'run', '--iterations', '2');
  assert.equal(b.code, 2);
  assert.match(b.stderr, /config\.json:\d+:\d+: knob "temperature" in agent\/prompt\.md: the 2 matches of the pattern hold different values \(1\.5, 0\.7\); with "all": true they must hold one value/);
  for (const dir of [notAChoice, disagree]) assert.equal(new Store(dir).candidates().length, 0, 'nothing was evaluated');
});
