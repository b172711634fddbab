import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CASES } from '../../src/core/grade/metrics';
import { readReport } from '../../src/core/grade/reportFormat';

/** What pytest 7 writes with --junitxml: one suite, failures with a message and the traceback as text. */
const PYTEST = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5" time="0.120" timestamp="2026-12-03T10:00:00" hostname="h"><testcase classname="tests.test_triage" name="test_urgent" time="0.001" /><testcase classname="tests.test_triage" name="test_spam" time="0.002"><failure message="AssertionError: assert 'normal' == 'spam'">def test_spam():
&gt;       assert route("win a prize") == "spam"
E       AssertionError: assert 'normal' == 'spam'</failure></testcase><testcase classname="tests.test_triage" name="test_io" time="0.001"><error message="failed on setup with &quot;FileNotFoundError&quot;">fixture 'data' not found</error></testcase><testcase classname="tests.test_triage" name="test_later" time="0.000"><skipped type="pytest.skip" message="not yet">skipped</skipped></testcase><testcase classname="tests.test_triage" name="test_print" time="0.001"><system-out>routed 3 tickets</system-out></testcase></testsuite></testsuites>`;

/** vitest's junit reporter: a suite per file, the case named with its describe blocks. */
const VITEST = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="2" failures="1" errors="0" time="0.5">
    <testsuite name="test/route.test.ts" timestamp="2026-12-03T10:00:00.000Z" hostname="h" tests="2" failures="1" errors="0" skipped="0" time="0.01">
        <testcase classname="test/route.test.ts" name="route &gt; sends refunds to billing" time="0.002">
        </testcase>
        <testcase classname="test/route.test.ts" name="route &gt; spots spam" time="0.003">
            <failure message="expected &apos;normal&apos; to be &apos;spam&apos; // Object.is equality" type="AssertionError">
AssertionError: expected 'normal' to be 'spam' // Object.is equality
 ❯ test/route.test.ts:9:32
            </failure>
        </testcase>
    </testsuite>
</testsuites>`;

/** jest-junit: a failure with its text only, no message attribute; a suite inside a suite. */
const JEST = `<?xml version="1.0" encoding="UTF-8"?><testsuites name="jest tests" tests="2" failures="1" errors="0" time="1.2"><testsuite name="route" errors="0" failures="1" skipped="0" timestamp="2026-12-03T10:00:00" time="0.9" tests="2"><testsuite name="route nested"><testcase classname="route spots spam" name="route spots spam" time="0.004"><failure><![CDATA[Error: expect(received).toBe(expected)
Expected: "spam"
Received: "normal"]]></failure></testcase></testsuite><testcase classname="route bills" name="route bills" time="0.001"></testcase></testsuite></testsuites>`;

/** go-junit-report: properties, a package per suite, a failure message "Failed". */
const GO = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1">
	<testsuite name="example.com/agent" tests="2" failures="1" errors="0" id="0" hostname="h" time="0.004" timestamp="2026-12-03T10:00:00Z">
		<properties><property name="go.version" value="go1.19"></property></properties>
		<testcase name="TestRoute" classname="example.com/agent" time="0.000"></testcase>
		<testcase name="TestSpam" classname="example.com/agent" time="0.000"><failure message="Failed"><![CDATA[    route_test.go:12: got normal, want spam]]></failure></testcase>
	</testsuite>
</testsuites>`;

const read = (format: 'junit' | 'promptfoo', text: string | undefined) => readReport(format, text, '', []);

test('a pytest JUnit report: each test a case named classname::name, failures and errors with their message and text, skipped ones counted', () => {
  const r = read('junit', PYTEST);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.deepEqual(r.metrics, { pass_rate: 0.5, passed: 2, failed: 1, errors: 1, skipped: 1, tests: 5, duration_s: 0.12 });
  assert.deepEqual(r.cases.map((c) => [c.id, c.passed]), [
    ['tests.test_triage::test_urgent', true],
    ['tests.test_triage::test_spam', false],
    ['tests.test_triage::test_io', false],
    ['tests.test_triage::test_print', true],
  ]);
  const spam = r.cases[1]!;
  assert.equal(spam.feedback, "AssertionError: assert 'normal' == 'spam'");
  assert.match(spam.output!, /^>\s+assert route\("win a prize"\) == "spam"$/m, 'the traceback, entities decoded');
  assert.equal(r.cases[2]!.feedback, 'failed on setup with "FileNotFoundError"');
  assert.equal(r.cases[3]!.output, 'routed 3 tickets', "a passing case keeps what it printed");
});

test("vitest's, jest's and go-junit-report's reports read the same way, nested suites included", () => {
  const vitest = read('junit', VITEST);
  assert.ok(vitest.ok);
  assert.deepEqual(vitest.cases.map((c) => [c.id, c.passed]), [['test/route.test.ts::route > sends refunds to billing', true], ['test/route.test.ts::route > spots spam', false]]);
  assert.equal(vitest.cases[1]!.feedback, "AssertionError: expected 'normal' to be 'spam' // Object.is equality");
  assert.match(vitest.cases[1]!.output!, /test\/route\.test\.ts:9:32/);

  const jest = read('junit', JEST);
  assert.ok(jest.ok);
  assert.deepEqual(jest.cases.map((c) => [c.id, c.passed]), [['route bills::route bills', true], ['route spots spam::route spots spam', false]]);
  assert.match(jest.cases[1]!.output!, /Received: "normal"/, 'the CDATA text of a failure without a message');
  assert.equal(jest.metrics.duration_s, 1.2);

  const go = read('junit', GO);
  assert.ok(go.ok);
  assert.deepEqual(go.metrics, { pass_rate: 0.5, passed: 1, failed: 1, errors: 0, skipped: 0, tests: 2, duration_s: 0.004 }, 'the time of its suites');
  assert.equal(go.cases[1]!.id, 'example.com/agent::TestSpam');
  assert.match(go.cases[1]!.output!, /got normal, want spam/);
});

test('a malformed, truncated, empty or missing report fails the eval with a reason that says which', () => {
  const reason = (format: 'junit' | 'promptfoo', text: string | undefined): string => {
    const r = read(format, text);
    assert.ok(!r.ok, `${JSON.stringify(text?.slice(0, 40))} was refused`);
    return r.reason;
  };
  assert.match(reason('junit', PYTEST.slice(0, 400)), /^the JUnit report is not well-formed XML \(line \d+, column \d+\)/);
  assert.match(reason('junit', '<testsuites><testcase name="a"></testsuites>'), /not well-formed XML/);
  assert.match(reason('junit', ''), /^the JUnit report is empty$/);
  assert.match(reason('junit', undefined), /^no JUnit report was written: .*\$AIAI_REPORT_FILE/);
  assert.match(reason('junit', '<?xml version="1.0"?><testsuites name="pytest"></testsuites>'), /holds no test case/);
  assert.match(reason('junit', '<report><x/></report>'), /neither <testsuites> nor <testsuite>/);
  assert.match(reason('junit', '<testsuite><testcase name="a"><skipped/></testcase></testsuite>'), /every test case .* was skipped \(1\)/);
  assert.match(reason('promptfoo', '{"results": {"results": [ {"success": tr'), /^the promptfoo results file is not JSON/);
  assert.match(reason('promptfoo', '{"results": []}'), /no results\.results list/);
  assert.match(reason('promptfoo', '{"results": {"results": []}}'), /holds no result/);
});

test('an enormous report is kept bounded, and a repeated test keeps both of its cases', () => {
  const many = MAX_CASES + 5;
  const xml = `<testsuite>${Array.from({ length: many }, (_, i) => `<testcase classname="t" name="case${i % (many - 1)}"/>`).join('')}</testsuite>`;
  const r = read('junit', xml);
  assert.ok(r.ok);
  assert.equal(r.cases.length, MAX_CASES);
  assert.match(r.cut ?? '', new RegExp(`kept ${MAX_CASES} of ${many} cases`));
  assert.equal(r.metrics.tests, many, 'the metrics count every case');
  const twice = read('junit', '<testsuite><testcase classname="t" name="a"/><testcase classname="t" name="a"><failure message="flaky"/></testcase></testsuite>');
  assert.ok(twice.ok);
  assert.deepEqual(twice.cases.map((c) => [c.id, c.passed]), [['t::a', true], ['t::a#2', false]]);
});

test('a promptfoo results file: each test × prompt × provider a case with its variables, response, assertions and reasons; scores, tokens and cost', () => {
  const result = (description: string | undefined, vars: object, success: boolean, output: string, provider: string, extra: object = {}) => ({
    vars,
    prompt: { raw: 'Route: {{ticket}}', label: 'route.txt' },
    provider: { id: provider },
    response: { output, tokenUsage: { total: 30, prompt: 25, completion: 5 }, cost: 0.001 },
    success,
    score: success ? 1 : 0,
    namedScores: { exactness: success ? 1 : 0.5 },
    cost: 0.001,
    gradingResult: { pass: success, score: success ? 1 : 0, reason: success ? 'All assertions passed' : 'Expected output to equal "spam"', componentResults: [{ pass: success, reason: success ? 'ok' : 'Expected output to equal "spam"' }] },
    testCase: { ...(description ? { description } : {}), vars, assert: [{ type: 'equals', value: 'spam' }] },
    ...extra,
  });
  const file = {
    evalId: 'eval-1',
    results: {
      version: 3,
      results: [
        result('spam is spam', { ticket: 'win a prize' }, false, 'normal', 'exec: python3 model.py'),
        result(undefined, { ticket: 'refund please' }, true, 'billing', 'exec: python3 model.py'),
        result('spam is spam', { ticket: 'win a prize' }, true, 'spam', 'exec: python3 other.py'),
      ],
      stats: { successes: 2, failures: 1 },
    },
  };
  const r = read('promptfoo', JSON.stringify(file));
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.deepEqual(r.cases.map((c) => [c.id, c.passed]), [
    ['spam is spam · exec: python3 model.py', false],
    ['{"ticket":"refund please"} · exec: python3 model.py', true],
    ['spam is spam · exec: python3 other.py', true],
  ]);
  const spam = r.cases[0]!;
  assert.equal(spam.input, '{"ticket":"win a prize"}');
  assert.equal(spam.output, 'normal');
  assert.equal(spam.expected, '[{"type":"equals","value":"spam"}]');
  assert.equal(spam.feedback, 'Expected output to equal "spam"');
  assert.equal(spam.score, 0);
  assert.deepEqual(r.metrics, { pass_rate: 2 / 3, passed: 2, failed: 1, score: 2 / 3, 'score.exactness': 2.5 / 3, tokens: 90, prompt_tokens: 75, completion_tokens: 15, cost_usd: 0.003 });
});
