import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathPolicy } from '../../src/core/config/pathPolicy';
import type { EvalSpec } from '../../src/core/config/config';
import { hiddenBecause } from '../../src/core/propose/visibility';

const spec = (e: Partial<EvalSpec> & Pick<EvalSpec, 'name'>): EvalSpec => ({ command: 'node eval/run.js', format: 'aiai', timeoutSec: 60, holdout: false, repeats: 1, answers: [], data: [], race: false, ...e });

test("a model proposer is never shown an eval's answers or a holdout's data, even where context globs would show them", () => {
  const policy = pathPolicy({
    editable: ['agent/**'],
    protected: [],
    context: ['eval/**'],
    evals: [
      spec({ name: 'train', grade: 'node eval/grade.js', answers: ['eval/answers/train.json'], data: ['eval/data/train.json'] }),
      spec({ name: 'holdout', grade: 'node eval/grade.js', answers: ['eval/answers/holdout.json'], data: ['eval/data/holdout.json'], holdout: true }),
    ],
  });
  for (const file of ['eval/answers/train.json', 'eval/answers/holdout.json', 'eval/data/holdout.json']) {
    assert.equal(hiddenBecause(policy, file), "only an eval sees it (an eval's answers, or a holdout's data)", file);
  }
  assert.equal(hiddenBecause(policy, 'eval/data/train.json'), undefined, "a train eval's inputs are context, as before");
  assert.equal(hiddenBecause(policy, 'eval/run.js'), undefined);
});
