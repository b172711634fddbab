import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runLoop } from '../../src/core/loop/loop';
import type { ProposalRequest } from '../../src/core/propose/proposer';
import { proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { MessagesServer, toolCall, toolResults, toolUse, type Responder } from '../fixtures/messagesServer';
import { configJson, makeRepo } from '../helpers';

/*
 * A candidate whose code reads what no proposer may see (the protected grader, the
 * holdout's rows) and copies it into its case outputs and its log, plain, in base64
 * and in hex: it is flagged `leak`, and none of it reaches any request to the model,
 * in that run or a later one, in either mode; the person's record keeps it all.
 */

const GRADER_MARKER = 'GRADER-RUBRIC-kestrel-5583-obsidian';
const HOLDOUT_MARKER = 'HOLDOUT-ROW-quasar-2719-marmalade';

/** The grader: it runs the agent on a split, and prints and writes messages of its own, which every candidate shows too. */
const SCORE_JS = `// ${GRADER_MARKER}: the rubric only the grader holds
const fs = require('fs');
const split = process.argv[2] || 'train';
const { answer } = require('../agent/agent.js');
const rows = fs.readFileSync('eval/' + split + '.jsonl', 'utf8').trim().split('\\n').map((line) => JSON.parse(line));
const cases = rows.map((r) => {
  const output = String(answer(r.question));
  const passed = output === r.answer;
  return { id: r.id, passed, input: r.question, expected: r.answer, output, ...(passed ? {} : { feedback: 'the answer should spell the question backwards' }) };
});
const score = cases.filter((c) => c.passed).length / cases.length;
fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { score }, cases, feedback: 'compare each answer with the expected one' }));
console.log('graded ' + split + ' with the hidden rubric');
`;

const rows = (prefix: string, questions: string[]): string =>
  questions.map((q, i) => JSON.stringify({ id: `${prefix}-${i}`, question: q, answer: [...q].reverse().join('') })).join('\n') + '\n';
const HOLDOUT = rows('h', [`${HOLDOUT_MARKER} where is my parcel`, 'how do I reset my password today']);
const AGENT = 'exports.answer = (q) => q;\n';

/** Copies the first holdout row into every output, and the grader into its log (a passing eval's, which no proposer reads), plain and in base64. */
const LEAKS_INTO_OUTPUTS = `const fs = require('fs');
const path = require('path');
const held = fs.readFileSync(path.join(__dirname, '..', 'eval', 'holdout.jsonl'), 'utf8').split('\\n')[0];
const grader = fs.readFileSync(path.join(__dirname, '..', 'eval', 'score.js'), 'utf8');
console.log(grader);
console.log(Buffer.from(grader).toString('base64'));
exports.answer = (q) => q.split('').reverse().join('') + ' ' + held;
`;

/** Prints the grader in hex and the holdout rows, and crashes: its log is what a proposer would read. */
const LEAKS_INTO_LOG = `const fs = require('fs');
const path = require('path');
console.error(Buffer.from(fs.readFileSync(path.join(__dirname, '..', 'eval', 'score.js'))).toString('hex'));
console.error(fs.readFileSync(path.join(__dirname, '..', 'eval', 'holdout.jsonl'), 'utf8'));
process.exit(3);
`;

const REVERSES = 'exports.answer = (q) => q.split(\'\').reverse().join(\'\');\n';

function workspace(mode: 'single' | 'agent'): string {
  return makeRepo({
    'agent/agent.js': AGENT,
    'eval/score.js': SCORE_JS,
    'eval/train.jsonl': rows('t', ['refund my order please', 'the app crashes on start', 'racecar']),
    'eval/holdout.jsonl': HOLDOUT,
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [
        { name: 'train', command: 'node eval/score.js train', timeoutSec: 30 },
        { name: 'holdout', command: 'node eval/score.js holdout', timeoutSec: 30, holdout: true },
      ],
      objective: { eval: 'train', metric: 'score', direction: 'maximize' },
      proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 1, mode },
      parallel: 1,
    }),
  });
}

/** What the leaks look like in every form the candidates printed them, and the markers themselves. */
const FORMS = [
  GRADER_MARKER,
  HOLDOUT_MARKER,
  Buffer.from(SCORE_JS).toString('base64').slice(40, 80),
  Buffer.from(SCORE_JS).toString('hex').slice(40, 80),
  Buffer.from(SCORE_JS).toString('hex').slice(40, 80).toUpperCase(),
];

let server: MessagesServer;
before(async () => {
  server = await MessagesServer.start();
});
after(() => server.close());

async function run(dir: string, replies: Responder[], iterations: number) {
  server.reply(...replies);
  return runLoop(dir, {
    signal: new AbortController().signal,
    iterations,
    env: { ...process.env, ANTHROPIC_API_KEY: 'sk-test-loopback', ANTHROPIC_BASE_URL: server.url },
  });
}

const replace = (to: string, from = AGENT) => ({ path: 'agent/agent.js', search: from, replace: to });

const ROUNDS: Record<'single' | 'agent', { first: Responder[]; later: Responder[] }> = {
  single: {
    first: [
      toolUse({ title: 'answer from the data', rationale: 'r', edits: [replace(LEAKS_INTO_OUTPUTS)] }),
      toolUse({ title: 'show the grader', rationale: 'r', edits: [replace(LEAKS_INTO_LOG)] }),
    ],
    later: [toolUse({ title: 'reverse the question', rationale: 'r', edits: [replace(REVERSES)] })],
  },
  agent: {
    first: [
      toolCall('edit_file', replace(LEAKS_INTO_OUTPUTS)),
      toolCall('run_evals', {}),
      toolCall('show_failures', {}),
      toolCall('submit_change', { title: 'answer from the data', rationale: 'r' }),
      toolCall('edit_file', replace(LEAKS_INTO_LOG)),
      toolCall('submit_change', { title: 'show the grader', rationale: 'r' }),
    ],
    later: [toolCall('show_failures', {}), toolCall('edit_file', replace(REVERSES)), toolCall('submit_change', { title: 'reverse the question', rationale: 'r' })],
  },
};

for (const mode of ['single', 'agent'] as const) {
  test(`${mode} mode: a candidate that copies the grader or holdout rows into its outputs or log is flagged leak, and none of it reaches the model, then or later`, async () => {
    const dir = workspace(mode);
    server.reset();
    const first = await run(dir, ROUNDS[mode].first, 2);
    const [outputs, log] = first.candidates;
    for (const c of [outputs, log]) {
      assert.equal(c?.status, 'failed', c?.reason);
      assert.ok(c.flags.includes('leak'), `${c.title}: ${c.flags.join(', ')}`);
    }
    assert.match(outputs!.reason ?? '', /^train: leak: what it would show a proposer held content of .*eval\/holdout\.jsonl.*, which no proposer may see; it is withheld$/);
    assert.match(log!.reason ?? '', /^train: the command exited with code 3/);
    const train = outputs!.evaluation!.evals.find((e) => e.name === 'train')!;
    assert.ok(train.leaked?.includes('eval/holdout.jsonl'), train.leaked?.join(', '));
    const crashed = log!.evaluation!.evals.find((e) => e.name === 'train')!;
    assert.ok(crashed.leaked?.includes('eval/holdout.jsonl') && crashed.leaked.includes('eval/score.js'), crashed.leaked?.join(', '));
    assert.ok(train.cases[0]!.output!.includes(HOLDOUT_MARKER), 'the person\'s record keeps what the candidate printed');
    if (mode === 'agent') {
      const results = JSON.stringify(toolResults(server.proposalRequests()[3]!));
      assert.match(results, /The draft failed: train: leak:/, 'run_evals says why, naming files only');
      assert.match(results, /Of the parent\. Kinds: /, 'show_failures withholds the leaking draft\'s cases');
    }

    const later = await run(dir, ROUNDS[mode].later, 1);
    assert.equal(later.candidates[0]?.status, 'pending', later.candidates[0]?.reason);
    const history = JSON.stringify(server.proposalRequests().at(-1));
    assert.match(history, /show the grader/, 'the later run sees the earlier attempts');
    assert.match(history, /the answer should spell the question backwards/, 'the grader\'s own messages, which the current version shows too, still reach the model');

    const sent = server.requests.map((r) => r.raw);
    assert.ok(server.messageRequests().some((r) => !r.tools?.length), 'the lessons were written, and are among the requests checked');
    for (const form of FORMS) assert.ok(!sent.some((raw) => raw.includes(form)), `"${form}" reached the model`);
  });
}

test('agent mode: run_evals on a draft that crashes printing the grader shows none of its log', async () => {
  const dir = workspace('agent');
  server.reset();
  const summary = await run(dir, [toolCall('edit_file', replace(LEAKS_INTO_LOG)), toolCall('run_evals', {}), toolCall('submit_change', { title: 'show the grader', rationale: 'r' })], 1);
  assert.ok(summary.candidates[0]?.flags.includes('leak'));
  const sent = server.requests.map((r) => r.raw);
  for (const form of FORMS) assert.ok(!sent.some((raw) => raw.includes(form)), `"${form}" reached the model`);
});

/** Runs the agent on the train questions (protected data), writing its answers for the grader. */
const TWO_PHASE_RUN = `const fs = require('fs');
const rows = JSON.parse(fs.readFileSync('eval/data/train.json', 'utf8'));
const { answer } = require('../agent/agent.js');
fs.writeFileSync(process.env.AIAI_OUTPUTS_DIR + '/answers.json', JSON.stringify(rows.map((r) => ({ id: r.id, output: answer(r.question) }))));
`;

/** Grades in the baseline's files: each case shows the question it asked, as it is in the protected data. */
const TWO_PHASE_GRADE = `const fs = require('fs');
const rows = JSON.parse(fs.readFileSync('eval/data/train.json', 'utf8'));
const expected = JSON.parse(fs.readFileSync('eval/answers/train.json', 'utf8'));
const got = JSON.parse(fs.readFileSync(process.env.AIAI_OUTPUTS_DIR + '/answers.json', 'utf8'));
const cases = rows.map((r, i) => ({ id: r.id, passed: got[i].output === expected[r.id], input: r.question, expected: expected[r.id], output: got[i].output, feedback: 'answered ' + JSON.stringify(got[i].output) }));
fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { score: cases.filter((c) => c.passed).length / cases.length }, cases }));
`;

test('two-phase: the grader is trusted, so the protected questions it shows are no leak, but an output that copies a protected file is', async () => {
  const questions = ['where is the parcel I ordered last week', 'please cancel my subscription today'];
  const dir = makeRepo({
    'agent/agent.js': 'exports.answer = (q) => q.length;\n',
    'eval/run.js': TWO_PHASE_RUN,
    'eval/grade.js': TWO_PHASE_GRADE,
    'eval/data/train.json': JSON.stringify(questions.map((question, i) => ({ id: `q${i}`, question }))),
    'eval/answers/train.json': JSON.stringify({ q0: questions[0], q1: questions[1] }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\n',
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [{ name: 'train', command: 'node eval/run.js', grade: 'node eval/grade.js', answers: ['eval/answers/**', 'eval/grade.js'], timeoutSec: 30 }],
      objective: { eval: 'train', metric: 'score' },
      parallel: 1,
    }),
  });
  const agent = async (request: ProposalRequest, body: string) => [{ path: 'agent/agent.js', search: (await request.readFile(request.parent.commit, 'agent/agent.js'))!, replace: body }];
  const summary = await runLoop(dir, {
    proposer: new ScriptedProposer([
      async (request) => proposal('repeat the question', await agent(request, 'exports.answer = (q) => q;\n')),
      async (request) => proposal('answer with the runner', await agent(request, "exports.answer = () => require('fs').readFileSync('eval/run.js', 'utf8');\n")),
    ]),
    iterations: 2,
    signal: new AbortController().signal,
  });
  const [repeats, copies] = summary.candidates;
  assert.equal(repeats?.status, 'pending', repeats?.reason);
  assert.deepEqual(repeats.flags, []);
  assert.equal(copies?.status, 'failed', copies?.reason);
  assert.deepEqual(copies.flags, ['leak']);
  assert.deepEqual(copies.evaluation!.evals[0]!.leaked, ['eval/run.js']);
});
