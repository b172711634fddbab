import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../src/core/common/random';
import { casesContractProblem, mergedBatches } from '../../src/core/grade/racing';
import { CaseHistory, type GradedCases } from '../../src/core/grade/caseHistory';
import type { EvalStatus } from '../../src/core/grade/evaluation';
import { atMost, chanceToGain, DEFAULT_ERROR_RATE, DEFAULT_FUTILITY, lookErrorRate, raceOrder, raceVerdict, type RaceCase } from '../../src/core/grade/race';

/* Racing a candidate against its parent, case by case: the order, the certain stop and the statistical one. */

const pass = (id: string, passed: boolean, group?: string): RaceCase => ({ id, passed, value: passed ? 1 : 0, ...(group ? { group } : {}) });
const parentOf = (n: number, passing: (i: number) => boolean): RaceCase[] => Array.from({ length: n }, (_, i) => pass(`c${i}`, passing(i)));
/** Each stop alone: the predicted chance stops nothing here but in its own tests. */
const RULE = { minDelta: 0.05, errorRate: DEFAULT_ERROR_RATE, futility: 0 };

test('the order is a fixed shuffle of every case, each batch a small picture of the whole: passes and fails on the parent, and groups, in proportion', () => {
  const parent = Array.from({ length: 100 }, (_, i) => pass(`c${i}`, i % 10 < 3, i % 2 === 0 ? 'short' : 'long'));
  const order = raceOrder(parent, 7);
  assert.deepEqual([...order].sort(), parent.map((c) => c.id).sort(), 'every case once');
  assert.deepEqual(raceOrder(parent, 7), order, 'the same seed, the same order');
  assert.notDeepEqual(raceOrder(parent, 8), order, 'another seed, another order');
  const byId = new Map(parent.map((c) => [c.id, c]));
  for (let end = 10; end <= 100; end += 10) {
    const batch = order.slice(0, end).map((id) => byId.get(id)!);
    const passes = batch.filter((c) => c.passed).length;
    assert.ok(Math.abs(passes - end * 0.3) <= 1, `${passes} passes in the first ${end}`);
    const short = batch.filter((c) => c.group === 'short').length;
    assert.ok(Math.abs(short - end * 0.5) <= 1, `${short} short ones in the first ${end}`);
  }
});

test('the cases the versions graded so far disagreed on run first, most disagreed first; the rest keep the stratified order', () => {
  const parent = Array.from({ length: 40 }, (_, i) => pass(`c${i}`, i % 4 === 0));
  const history = new CaseHistory();
  const graded = (failing: string[], status: EvalStatus = 'passed'): GradedCases => ({ evals: [{ name: 'train', status, cases: parent.map((c) => ({ id: c.id, passed: !failing.includes(c.id) })) }] });
  const parentGrading = graded(['c1']);
  history.add(parentGrading);
  history.add(graded([]));
  history.add(graded(['c5', 'c9']));
  history.add(graded(['c9']));
  history.add(graded(['c5', 'c9']));
  history.add(graded(['c1', 'c2', 'c3'], 'failed'));
  const disagreement = history.disagreement('train', parentGrading.evals[0]!.cases);
  assert.equal(disagreement('c9'), 0.25, 'c9 failed 3 of the 4 other gradings');
  assert.equal(disagreement('c5'), 0.5, 'c5 failed 2 of 4');
  assert.equal(disagreement('c1'), 0, "the parent's own fail is left out, and so is a grading whose eval failed");
  assert.equal(history.disagreement('train')('c1'), 0.2, 'counted for any other candidate: 1 fail in 5');
  assert.equal(history.disagreement('holdout')('c5'), 0, 'another eval knows nothing of this one');
  const order = raceOrder(parent, 7, disagreement);
  assert.deepEqual(order.slice(0, 2), ['c5', 'c9']);
  assert.deepEqual(order.slice(2), raceOrder(parent, 7).filter((id) => id !== 'c5' && id !== 'c9'));
});

test("ordered by the other versions' disagreement, a candidate as good as its parent is stopped as worse under 5% of the time; counting the parent's own luck would stop it more often", () => {
  // A parent's lucky passes are the cases where it beat the other versions: counted, they would run first, and an
  // equal candidate would lose them. Left out, the order knows nothing of the parent's luck.
  const random = seededRandom(5);
  const chances = Array.from({ length: 120 }, (_, i) => (i < 60 ? 0.4 : 0.95));
  const grading = (): GradedCases => ({ evals: [{ name: 'train', status: 'passed', cases: chances.map((p, i) => ({ id: `c${i}`, passed: random() < p })) }] });
  const stoppedAsWorse = (order: 'parent left out' | 'parent counted'): number => {
    let stopped = 0;
    for (let n = 0; n < 1000; n++) {
      const history = new CaseHistory();
      for (let k = 0; k < 8; k++) history.add(grading());
      const parentGrading = grading();
      history.add(parentGrading);
      const parent = parentGrading.evals[0]!.cases.map((c) => pass(c.id, c.passed));
      const candidate = new Map(chances.map((p, i) => [`c${i}`, pass(`c${i}`, random() < p)]));
      const cases = raceOrder(parent, n, history.disagreement('train', order === 'parent left out' ? parentGrading.evals[0]!.cases : []));
      const run: RaceCase[] = [];
      for (let look = 1; run.length < parent.length; look++) {
        run.push(...cases.slice(run.length, run.length + 12).map((id) => candidate.get(id)!));
        const verdict = raceVerdict(parent, run, { ...RULE, minDelta: 0 }, look);
        if (verdict.stop) {
          if (verdict.why === 'worse') stopped++;
          break;
        }
      }
    }
    return stopped / 1000;
  };
  const leftOut = stoppedAsWorse('parent left out');
  const counted = stoppedAsWorse('parent counted');
  assert.ok(leftOut < DEFAULT_ERROR_RATE, `${(leftOut * 100).toFixed(1)}% stopped as worse with the parent left out`);
  assert.ok(counted > 2 * leftOut, `counting the parent's own grading stops ${(counted * 100).toFixed(1)}%, against ${(leftOut * 100).toFixed(1)}%`);
});

test('the sign test p-value is the binomial tail', () => {
  assert.ok(Math.abs(atMost(1, 10) - 11 / 1024) < 1e-12);
  assert.equal(atMost(10, 10), 1);
  assert.ok(Math.abs(atMost(500, 1000) - 0.5126) < 1e-4);
  assert.ok(atMost(1000, 2000) > 0.5 && atMost(1000, 2000) < 0.51, 'no overflow at 2,000 cases');
  const spent = Array.from({ length: 10_000 }, (_, k) => lookErrorRate(0.05, k + 1)).reduce((a, b) => a + b, 0);
  assert.ok(spent < 0.05 && spent > 0.0499, `the looks share the error rate: ${spent}`);
});

test('a candidate that cannot gain minDelta even if every case left passes is stopped at once, and one that still can is not', () => {
  const parent = parentOf(120, (i) => i < 108); // 0.9
  const run = (newlyFailing: number): RaceCase[] => parent.slice(0, 24).map((c, i) => pass(c.id, i >= newlyFailing));
  // At a fifth look 6 newly failing of 6 differing is not yet proof of worse; 18 of 24 and 96 to come make 0.95, within reach.
  assert.deepEqual(raceVerdict(parent, run(6), RULE, 5), { stop: false });
  assert.deepEqual(raceVerdict(parent, run(7), RULE, 5), {
    stop: true,
    why: 'cannot-gain',
    message: 'raced out after 24 of 120 cases: 7 newly failing, 0 newly passing; it cannot gain 0.05 even if every case left passes',
  });
  const perfect = parentOf(10, () => true);
  assert.equal(raceVerdict(perfect, [pass('c0', true)], { ...RULE, minDelta: 0 }, 1).stop, true, 'nothing can beat a parent that passes every case');
  assert.deepEqual(raceVerdict(parent, parent.map((c) => pass(c.id, false)), RULE, 1), { stop: false }, 'a candidate that ran every case is graded, not raced');
});

test('the sign test stops a candidate that newly fails 9 cases and newly passes 1 of its first 24, and not one that differs both ways alike', () => {
  const parent = parentOf(120, (i) => i % 2 === 0); // 0.5; the first 24 are 12 passes and 12 fails
  const worse = parent.slice(0, 24).map((c, i) => pass(c.id, c.passed ? i >= 18 : i === 1));
  assert.deepEqual(raceVerdict(parent, worse, RULE, 1), {
    stop: true,
    why: 'worse',
    message: 'raced out after 24 of 120 cases: 9 newly failing, 1 newly passing; it is worse than its parent (a sign test at 5% error)',
  });
  assert.deepEqual(raceVerdict(parent, worse, RULE, 3), { stop: false }, 'at a later look the same tally is not enough: the error rate is spread over the looks');
  const even = parent.slice(0, 24).map((c, i) => pass(c.id, i < 8 ? !c.passed : c.passed));
  assert.deepEqual(raceVerdict(parent, even, RULE, 1), { stop: false });
});

test('over many races, a candidate as good as its parent is stopped as worse in under 5% of them, and a worse one is stopped early in most', () => {
  const random = seededRandom(11);
  const race = (flipToFail: number, flipToPass: number): { stopped?: 'worse' | 'cannot-gain' | 'unlikely'; ran: number } => {
    const parent = parentOf(200, () => random() < 0.6);
    const order = raceOrder(parent, Math.floor(random() * 1e9));
    const byId = new Map(parent.map((c) => [c.id, c]));
    const run: RaceCase[] = [];
    for (let look = 1; run.length < parent.length; look++) {
      for (const id of order.slice(run.length, run.length + 20)) {
        const p = byId.get(id)!;
        run.push(pass(id, p.passed ? random() >= flipToFail : random() < flipToPass));
      }
      const verdict = raceVerdict(parent, run, { ...RULE, minDelta: 0 }, look);
      if (verdict.stop) return { stopped: verdict.why, ran: run.length };
    }
    return { ran: run.length };
  };
  const equal = Array.from({ length: 400 }, () => race(0.1, 0.15));
  const wronglyWorse = equal.filter((r) => r.stopped === 'worse').length;
  assert.ok(wronglyWorse / equal.length < 0.05, `${wronglyWorse} of 400 as-good candidates stopped as worse`);
  const worse = Array.from({ length: 400 }, () => race(0.25, 0.05));
  const stopped = worse.filter((r) => r.stopped);
  assert.ok(stopped.length / worse.length > 0.95, `${stopped.length} of 400 worse candidates stopped, by the test or by the certain bound`);
  const meanRan = worse.reduce((sum, r) => sum + r.ran, 0) / worse.length;
  assert.ok(meanRan < 110, `stopped after ${meanRan.toFixed(0)} of 200 cases on average`);
});

test('a candidate whose trend leaves it almost no chance of gaining over every case is stopped, and the same trend over fewer cases is not', () => {
  const parent = parentOf(120, (i) => i % 2 === 0); // 0.5
  const RULE_WITH_CHANCE = { ...RULE, minDelta: 0, futility: DEFAULT_FUTILITY };
  // Of the first n cases, `newlyFailing` passing ones fail and `newlyPassing` failing ones pass.
  const run = (n: number, newlyFailing: number, newlyPassing: number): RaceCase[] => {
    let failed = 0;
    let passed = 0;
    return parent.slice(0, n).map((c) => {
      if (c.passed && failed < newlyFailing) return failed++, pass(c.id, false);
      if (!c.passed && passed < newlyPassing) return passed++, pass(c.id, true);
      return c;
    });
  };
  assert.deepEqual(raceVerdict(parent, run(60, 12, 4), RULE_WITH_CHANCE, 5), {
    stop: true,
    why: 'unlikely',
    message: 'raced out after 60 of 120 cases: 12 newly failing, 4 newly passing; on its trend so far, the chance that it ends above its parent over all 120 cases is under 3%',
  });
  assert.deepEqual(raceVerdict(parent, run(60, 12, 4), { ...RULE_WITH_CHANCE, futility: 0 }, 5), { stop: false }, 'neither the sign test nor the certain bound stops it');
  assert.deepEqual(raceVerdict(parent, run(24, 4, 1), RULE_WITH_CHANCE, 2), { stop: false }, 'with 96 cases left, 3 down is within reach');
  assert.ok(Math.abs(chanceToGain(Array(12).fill(0), 120, 0) - 0.5) < 1e-5, 'level so far: as likely to end above as below');
  assert.ok(chanceToGain(Array(12).fill(0), 120, 0.25) < 0.01, 'level so far, and 30 cases to gain among 108: under 1%');
  assert.ok(chanceToGain(Array(96).fill(0), 120, 0.02) > DEFAULT_FUTILITY, 'level on the 96 cases run first, 3 to gain among the 24 left, where no version passed yet: not out of reach');
});

test('over many races of near-equal candidates, of those the predicted chance stops, fewer than its 3% would full grading have taken, and it spares case runs', () => {
  const random = seededRandom(23);
  const withChance = { minDelta: 0, errorRate: DEFAULT_ERROR_RATE, futility: DEFAULT_FUTILITY };
  const tally = { stoppedByChance: 0, takenOfThose: 0, ran: 0, ranWithout: 0 };
  const ranUntilStopped = (parent: RaceCase[], order: string[], byId: Map<string, RaceCase>, rule: typeof withChance): { ran: number; why?: string } => {
    const run: RaceCase[] = [];
    for (let look = 1; run.length < parent.length; look++) {
      run.push(...order.slice(run.length, run.length + 12).map((id) => byId.get(id)!));
      const verdict = raceVerdict(parent, run, rule, look);
      if (verdict.stop) return { ran: run.length, why: verdict.why };
    }
    return { ran: run.length };
  };
  for (let n = 0; n < 1000; n++) {
    const parent = parentOf(120, () => random() < 0.5);
    // A little better or a little worse than the parent: where the sign test alone stops few.
    const toFail = 0.1 + 0.12 * random();
    const toPass = 0.1 + 0.06 * random();
    const full = parent.map((c) => pass(c.id, c.passed ? random() >= toFail : random() < toPass));
    const byId = new Map(full.map((c) => [c.id, c]));
    const order = raceOrder(parent, Math.floor(random() * 1e9));
    const raced = ranUntilStopped(parent, order, byId, withChance);
    tally.ran += raced.ran;
    tally.ranWithout += ranUntilStopped(parent, order, byId, { ...withChance, futility: 0 }).ran;
    if (raced.why !== 'unlikely') continue;
    tally.stoppedByChance++;
    if (full.filter((c) => c.passed).length > parent.filter((c) => c.passed).length) tally.takenOfThose++;
  }
  assert.ok(tally.stoppedByChance > 100, `${tally.stoppedByChance} stopped by the predicted chance`);
  assert.ok(tally.takenOfThose / tally.stoppedByChance < DEFAULT_FUTILITY, `full grading would have taken ${tally.takenOfThose} of the ${tally.stoppedByChance} it stopped`);
  assert.ok(tally.ran < 0.9 * tally.ranWithout, `${tally.ran} case runs with the predicted chance, ${tally.ranWithout} without`);
});

test('a batch that leaves out cases it was asked for, or reports others, breaks the contract, named; the batches merge into one outcome of every case', () => {
  const asked = ['a', 'b', 'c'];
  const reported = (...ids: string[]) => ids.map((id) => ({ id, passed: true }));
  assert.equal(casesContractProblem(asked, reported('c', 'a', 'b')), undefined, 'any order');
  assert.equal(
    casesContractProblem(asked, reported('a', 'x')),
    'the eval races ("race": true) but reported 1 case(s) it was not asked for (x) and left out 2 case(s) it was asked for (b, c): it must run exactly the case ids that $AIAI_CASES_FILE lists, one a line, and report those',
  );
  const batch = (cases: Array<{ id: string; passed: boolean; score?: number }>, model: Record<string, number>) =>
    ({ name: 'train', holdout: false, gate: false, status: 'passed' as const, metrics: { pass_rate: 0, ...model }, cases, exitCode: 0, durationMs: 10, logFile: 'l', logTail: '' });
  const merged = mergedBatches([
    batch([{ id: 'a', passed: true, score: 1 }, { id: 'b', passed: false, score: 0 }], { 'model.calls': 2, 'model.cost_usd': 0.02, 'model.latency_ms': 100 }),
    batch([{ id: 'c', passed: true, score: 0.5 }], { 'model.calls': 1, 'model.cost_usd': 0.01, 'model.latency_ms': 400 }),
  ]);
  assert.deepEqual(merged.cases.map((c) => c.id), ['a', 'b', 'c']);
  assert.deepEqual(merged.metrics, { pass_rate: 2 / 3, passed: 2, failed: 1, score: 0.5, 'model.calls': 3, 'model.cost_usd': 0.03, 'model.latency_ms': 200 });
  assert.equal(merged.durationMs, 20);
});
