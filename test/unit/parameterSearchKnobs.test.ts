import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/core/config/config';
import { ConfigError } from '../../src/core/common/errors';
import { knobValueProblem, readKnobValue, writeKnobValue, type Knob } from '../../src/core/config/knobs';
import { configJson } from '../helpers';

/* Knobs as the config declares them and as they are read from and written to files. */

const everywhere: Knob = { name: 'temperature', file: 'prompt.md', pattern: 'temperature (\\d+\\.\\d+)', all: true, min: 0, max: 2, step: 0.05 };

test('"all": true reads one value from every match and writes it back to each, keeping the decimals the file had', () => {
  const text = 'Answer at temperature 0.70.\nRetry at temperature 0.70.\n';
  const read = readKnobValue(everywhere, text);
  assert.ok(read.ok);
  assert.equal(read.value, 0.7);
  assert.equal(writeKnobValue(everywhere, text, 1), 'Answer at temperature 1.00.\nRetry at temperature 1.00.\n');
  assert.equal(writeKnobValue(everywhere, text, 0.35), 'Answer at temperature 0.35.\nRetry at temperature 0.35.\n');
});

test('a pattern that matches in several places says how to write them all; with "all" the places must agree and exist', () => {
  const text = 'temperature 0.70\ntemperature 0.90\n';
  const once = readKnobValue({ ...everywhere, all: false }, text);
  assert.ok(!once.ok);
  assert.equal(once.error, 'pattern must match exactly once in the file (it matches 2 times); "all": true writes one value to every match');
  const differ = readKnobValue(everywhere, text);
  assert.ok(!differ.ok);
  assert.equal(differ.error, 'the 2 matches of the pattern hold different values (0.7, 0.9); with "all": true they must hold one value');
  const none = readKnobValue(everywhere, 'no setting here\n');
  assert.ok(!none.ok);
  assert.equal(none.error, 'pattern matches nowhere in the file');
});

test('string choices are JSON strings at a pointer and bare text in a pattern; a value outside the set is named', () => {
  const model: Knob = { name: 'model', file: 'a.json', jsonPointer: '/model', choices: ['small', 'large'] };
  assert.equal(writeKnobValue(model, '{ "model": "small", "n": 1 }', 'large'), '{ "model": "large", "n": 1 }');
  const wrongType = readKnobValue(model, '{ "model": 3 }');
  assert.ok(!wrongType.ok);
  assert.equal(wrongType.error, 'JSON pointer "/model" is a number, not a string');
  const inText: Knob = { name: 'model', file: 'agent.py', pattern: 'MODEL = "(\\w+)"', choices: ['small', 'large'] };
  assert.equal(writeKnobValue(inText, 'MODEL = "small"\n', 'large'), 'MODEL = "large"\n');
  assert.equal(knobValueProblem(inText, 'medium'), 'not one of its choices "small", "large"');
  assert.equal(knobValueProblem({ name: 'n', file: 'a.json', jsonPointer: '/n', choices: [16, 32] }, 32), undefined);
  assert.equal(knobValueProblem(everywhere, 2.5), 'outside its range 0..2');
});

const minimal = { editable: ['agent/**'], evals: [{ name: 'train', command: 'node score.js' }], objective: { eval: 'train', metric: 'accuracy' } };

function problems(knobs: unknown[]): { messages: string[]; text: string } {
  const text = configJson({ ...minimal, knobs });
  try {
    parseConfig(text, '/ws/.aiai/config.json', '/ws');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return { messages: error.message.split('\n'), text };
  }
  assert.fail('the config was accepted');
}

const lineOf = (text: string, needle: string, nth = 0): number => text.split('\n').map((l, i) => (l.includes(needle) ? i + 1 : 0)).filter(Boolean)[nth]!;

test('the config takes choices or a range, "all" with a pattern only, and says where each mistake is', () => {
  const { messages, text } = problems([
    { file: 'a.json', jsonPointer: '/model', choices: ['small', 'large'], min: 0 },
    { file: 'a.json', jsonPointer: '/n' },
    { file: 'a.json', jsonPointer: '/mixed', choices: ['small', 2] },
    { file: 'a.json', jsonPointer: '/x', all: true, min: 0, max: 1, step: 0.1 },
    { file: 'a.json', jsonPointer: '/one', choices: ['only'] },
  ]);
  const knobLine = (pointer: string): number => lineOf(text, `"jsonPointer": "${pointer}"`) - 2;
  const both = (pointer: string): string => `config.json:${knobLine(pointer)}:5: "knobs[${pointer === '/model' ? 0 : 1}]": a knob needs either "min", "max" and "step" (a range) or "choices" (a set), not both`;
  assert.ok(messages.some((m) => m.endsWith(both('/model'))), `${both('/model')} in\n${messages.join('\n')}`);
  assert.ok(messages.some((m) => m.endsWith(both('/n'))), `${both('/n')} in\n${messages.join('\n')}`);
  assert.ok(messages.some((m) => m.endsWith(`config.json:${lineOf(text, '"choices"', 2)}:18: "knobs[4].choices" must have at least 2 item(s)`)), messages.join('\n'));
  // Semantic checks run once the schema is satisfied: the same knobs, their schema mistakes fixed.
  const semantic = problems([
    { file: 'a.json', jsonPointer: '/mixed', choices: ['small', 2] },
    { file: 'a.json', jsonPointer: '/x', all: true, min: 0, max: 1, step: 0.1 },
  ]);
  const where = (needle: string): RegExp => new RegExp(`config\\.json:${lineOf(semantic.text, needle)}:\\d+: `);
  assert.ok(semantic.messages.some((m) => where('"choices"').test(m) && m.endsWith('knob "mixed": choices must be all strings or all numbers')), semantic.messages.join('\n'));
  assert.ok(semantic.messages.some((m) => where('"all"').test(m) && m.endsWith('knob "x": "all" applies to a pattern (a JSON pointer names one place)')), semantic.messages.join('\n'));
});

test('a config with a choice knob and an "all" knob loads as written', () => {
  const text = configJson({
    ...minimal,
    knobs: [
      { file: 'agent/a.json', jsonPointer: '/model', choices: ['small', 'large'] },
      { name: 'temperature', file: 'agent/prompt.md', pattern: 'temperature (\\d+\\.\\d+)', all: true, min: 0, max: 2, step: 0.05 },
    ],
  });
  const config = parseConfig(text, '/ws/.aiai/config.json', '/ws');
  assert.deepEqual(config.knobs[0], { name: 'model', file: 'agent/a.json', jsonPointer: '/model', choices: ['small', 'large'] });
  assert.equal(config.knobs[1]!.all, true);
});
