import type { Knob, KnobValue } from '../src/core/config/knobs';
import type { KnobProblem } from './knobLoop';

/**
 * Numeric problems made for the parameter search's benchmark. Each is a workspace
 * in miniature: files holding the knobs, a start (the values the files hold), and
 * a score to maximize whose best value is 1. A noisy problem's eval adds a normal
 * draw of `sd` to each run, and is run `repeats` times as the loop would run it.
 */
export interface Problem extends KnobProblem {
  name: string;
  /** What the problem stands for, in a few words. */
  about: string;
}

const PARAMS = 'params.json';

/** A float knob in params.json: `range` divided into `levels` steps. */
function float(name: string, min: number, max: number, step: number): Knob {
  return { name, file: PARAMS, jsonPointer: `/${name}`, min, max, step };
}

function params(values: Record<string, KnobValue>): Record<string, string> {
  return { [PARAMS]: `${JSON.stringify(values, null, 2)}\n` };
}

/** Where `v` lies in the knob's range, 0..1. */
function unit(values: Record<string, KnobValue>, knob: Knob): number {
  if (!('min' in knob)) throw new Error(`${knob.name} is not a range knob`);
  return ((values[knob.name] as number) - knob.min) / (knob.max - knob.min);
}

/** 1 at `optimum` (unit coordinates), falling with the weighted squared distance; `scale` sets how fast. */
function bowl(knobs: Knob[], optimum: number[], weights: number[], scale: number) {
  return (values: Record<string, KnobValue>): number => {
    let sum = 0;
    knobs.forEach((k, i) => (sum += weights[i]! * (unit(values, k) - optimum[i]!) ** 2));
    return Math.exp(-sum / scale);
  };
}

const two = [float('alpha', 0, 10, 0.1), float('beta', -5, 5, 0.05)];
const five = ['temperature', 'top_p', 'penalty', 'boost', 'decay'].map((n) => float(n, 0, 1, 0.01));
const eight = ['w_len', 'w_kw', 'w_tier', 'cut', 'mix', 'damp', 'gain', 'bias'].map((n) => float(n, 0, 1, 0.01));
const sixteen = Array.from({ length: 16 }, (_, i) => float(`k${i + 1}`, 0, 1, 0.01));
const plateau = ['threshold', 'window', 'margin', 'slack'].map((n) => float(n, 0, 1, 0.02));
const together = [{ name: 'retries', file: PARAMS, jsonPointer: '/retries', min: 0, max: 10, step: 1 }, { name: 'timeout', file: PARAMS, jsonPointer: '/timeout', min: 0, max: 10, step: 1 }, float('ratio', 0, 1, 0.05)];
const narrow = ['x', 'y', 'z'].map((n) => float(n, 0, 1, 0.001));
const noisy3 = ['lr', 'momentum', 'clip'].map((n) => float(n, 0, 1, 0.01));
const mixed: Knob[] = [
  { name: 'model', file: PARAMS, jsonPointer: '/model', choices: ['small', 'medium', 'large', 'xl'] },
  { name: 'batch', file: PARAMS, jsonPointer: '/batch', choices: [8, 16, 32, 64, 128, 256] },
  { name: 'layers', file: PARAMS, jsonPointer: '/layers', min: 1, max: 12, step: 1 },
  // One setting written in two places of a prompt.
  { name: 'temperature', file: 'prompt.txt', pattern: 'temperature (\\d+\\.\\d+)', all: true, min: 0, max: 2, step: 0.05 },
];

export const SUITE: Problem[] = [
  {
    name: '2 knobs, smooth',
    about: 'a tilted valley',
    knobs: two,
    files: params({ alpha: 5, beta: 0 }),
    score: (v) => {
      const a = unit(v, two[0]!) - 0.72;
      const b = unit(v, two[1]!) - 0.2;
      return Math.exp(-(4 * (a + b) ** 2 + 30 * (a - b) ** 2) / 4);
    },
  },
  {
    name: '5 knobs, noisy (repeats 3)',
    about: 'a bowl, sd 0.05 per run',
    knobs: five,
    files: params({ temperature: 0.5, top_p: 0.5, penalty: 0.5, boost: 0.5, decay: 0.5 }),
    score: bowl(five, [0.8, 0.15, 0.65, 0.3, 0.9], [3, 2, 1, 2, 1], 1.2),
    noise: { sd: 0.05, repeats: 3 },
  },
  {
    name: '3 knobs, noisy (repeats 1)',
    about: 'a bowl, sd 0.03, noise not measured',
    knobs: noisy3,
    files: params({ lr: 0.3, momentum: 0.5, clip: 0.5 }),
    score: bowl(noisy3, [0.62, 0.85, 0.2], [3, 2, 1], 0.8),
    noise: { sd: 0.03, repeats: 1 },
  },
  {
    name: '8 knobs, deterministic',
    about: 'weights of unequal weight, start far off',
    knobs: eight,
    files: params({ w_len: 0.3, w_kw: 0.5, w_tier: 0.5, cut: 0.5, mix: 0.5, damp: 0.5, gain: 0.5, bias: 0.5 }),
    score: bowl(eight, [0.82, 0.2, 0.6, 0.35, 0.75, 0.1, 0.45, 0.9], [4, 3, 2, 2, 1, 1, 0.5, 0.5], 1.5),
  },
  {
    name: '16 knobs, deterministic',
    about: 'half the knobs matter',
    knobs: sixteen,
    files: params(Object.fromEntries(sixteen.map((k) => [k.name, 0.5]))),
    score: bowl(sixteen, sixteen.map((_, i) => (i * 0.37) % 1), sixteen.map((_, i) => (i < 8 ? 2 : 0.1)), 2),
  },
  {
    name: 'plateau, 4 knobs',
    about: 'accuracy in steps of 0.1, flat far from the optimum',
    knobs: plateau,
    files: params({ threshold: 0.1, window: 0.1, margin: 0.9, slack: 0.5 }),
    score: (v) => {
      const d = Math.hypot(...plateau.map((k, i) => unit(v, k) - [0.7, 0.6, 0.3, 0.5][i]!));
      return Math.floor(10 * Math.max(0, 1 - d / 0.7)) / 10;
    },
  },
  {
    name: 'two knobs that only help together',
    about: 'raising one alone costs, both together pays',
    knobs: together,
    files: params({ retries: 1, timeout: 1, ratio: 0.5 }),
    score: (v) => {
      const a = unit(v, together[0]!);
      const b = unit(v, together[1]!);
      return 0.45 + 0.45 * Math.min(a, b) - 0.5 * Math.abs(a - b) + 0.1 * (1 - Math.abs(unit(v, together[2]!) - 0.4));
    },
  },
  {
    name: 'narrow optimum, 3 knobs',
    about: 'a sharp peak on a broad hill, grid of 0.001',
    knobs: narrow,
    files: params({ x: 0.5, y: 0.5, z: 0.5 }),
    score: (v) => {
      const d2 = narrow.reduce((s, k, i) => s + (unit(v, k) - [0.31, 0.77, 0.52][i]!) ** 2, 0);
      return 0.6 * (1 - d2 / 3) + 0.4 * Math.exp(-d2 / (2 * 0.03 ** 2));
    },
  },
  {
    name: 'choices, integers and one value in two places',
    about: 'string and number choices, an integer, a float written to every match',
    knobs: mixed,
    files: {
      ...params({ model: 'small', batch: 32, layers: 2 }),
      'prompt.txt': 'Answer with temperature 1.50.\nWhen unsure, retry at temperature 1.50.\n',
    },
    score: (v) => {
      const model = { small: 0.2, medium: 0.6, large: 1, xl: 0.7 }[v.model as string] ?? 0;
      const batch = Math.exp(-((Math.log2(v.batch as number) - 6) ** 2) / 4);
      const layers = Math.exp(-(((v.layers as number) - 9) ** 2) / 8);
      const temperature = Math.exp(-(((v.temperature as number) - 0.35) ** 2) / 0.3);
      return model * (0.2 + 0.8 * batch * layers * temperature);
    },
  },
];
