import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toolCall, toolResults, toolUse, type MessagesRequest } from '../fixtures/messagesServer';
import { scriptedModel } from '../fixtures/scriptedModel';
import { configJson, makeRepo } from '../helpers';

/*
 * What a model reads of the failures (issue 22, item 4): counts per kind first, then
 * examples of each kind, then passing cases for contrast; show_failures by kind,
 * skipping what was shown; a case's trace on request. Through the real SDK.
 */

const model = scriptedModel();

/**
 * A router whose eval has `billing` tickets routed to `tech` (`misrouted` of them fail),
 * three `tech` tickets routed to `general`, `general` ones all right, and a tools eval
 * whose cases carry the eval's own groups. Every case has a trace.
 */
const ROUTE_JS = `
const fs = require('fs');
const { misrouted, padding } = JSON.parse(fs.readFileSync('agent/router.json', 'utf8'));
const cases = [];
const add = (id, expected, output, group) => cases.push({
  id, passed: expected === output, input: 'ticket ' + id + ' ' + 'x'.repeat(padding), expected, output,
  ...(group ? { group } : {}), trace: ['read ticket ' + id, 'routed to ' + output],
});
for (let i = 0; i < misrouted + 4; i++) add('b-' + i, 'billing', i < misrouted ? 'tech' : 'billing');
for (let i = 0; i < 10; i++) add('t-' + i, 'tech', i < 3 ? 'general' : 'tech');
for (let i = 0; i < 5; i++) add('g-' + i, 'general', 'general');
const tools = [];
for (let i = 0; i < 4; i++) tools.push({ id: 'timeout-' + i, passed: false, group: 'timeout', feedback: 'the search tool timed out' });
for (let i = 0; i < 4; i++) tools.push({ id: 'pick-' + i, passed: i >= 2, group: 'wrong-tool', feedback: i >= 2 ? 'right tool' : 'called search, not lookup' });
const mine = process.argv[2] === 'tools' ? tools : cases;
fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { pass_rate: mine.filter((c) => c.passed).length / mine.length }, cases: mine }));
`;

function routerWorkspace(misrouted: number, padding: number, mode: 'single' | 'agent'): string {
  return makeRepo({
    'agent/router.json': `${JSON.stringify({ misrouted, padding })}\n`,
    'eval/route.js': ROUTE_JS,
    '.aiai/config.json': configJson({
      editable: ['agent/**'],
      protected: ['eval/**'],
      evals: [
        { name: 'route', command: 'node eval/route.js route', timeoutSec: 20 },
        { name: 'tools', command: 'node eval/route.js tools', timeoutSec: 20 },
      ],
      objective: { eval: 'route', metric: 'pass_rate', direction: 'maximize' },
      proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 1, mode },
      budget: { iterations: 1 },
    }),
    '.aiai/.gitignore': 'runs/\nrun.lock\naudit.jsonl\nlessons.md\n',
  });
}

function promptOf(request: MessagesRequest): string {
  const first = request.messages[0]!.content;
  return typeof first === 'string' ? first : first.map((b) => String(b.text ?? '')).join('\n');
}

const fewerMisrouted = { path: 'agent/router.json', search: '"misrouted":6', replace: '"misrouted":2' };

test('the failures open with their counts per kind, then examples of each kind, then passing cases of the same expected value or group', async () => {
  await model.run(routerWorkspace(6, 10, 'single'), [toolUse({ title: 'fewer misrouted', rationale: 'r', edits: [fewerMisrouted] })]);
  const prompt = promptOf(model.server.proposalRequests()[0]!);
  const where = prompt.slice(prompt.indexOf('# Where it fails'));
  assert.match(
    where,
    /^# Where it fails: 15 failing train cases, of 4 kinds:\n- 1\. 6 × route: expected "billing" → got "tech"\n- 2\. 4 × tools: group "timeout"\n- 3\. 3 × route: expected "tech" → got "general"\n- 4\. 2 × tools: group "wrong-tool"\n\n## Examples of each kind \(15 of 15 cases\)\n- route\/b-0\n/,
  );
  // One of each kind in turn, so the most common kind does not hide the others.
  const examples = where.slice(where.indexOf('## Examples'), where.indexOf('## Passing'));
  assert.deepEqual([...examples.matchAll(/^- (\S+)/gm)].slice(0, 5).map((m) => m[1]), ['route/b-0', 'tools/timeout-0', 'route/t-0', 'tools/pick-0', 'route/b-1']);
  const contrast = where.slice(where.indexOf('## Passing cases of the same expected value or group, for contrast'));
  assert.deepEqual([...contrast.matchAll(/^- (\S+)/gm)].map((m) => m[1]), ['route/b-6', 'route/b-7', 'route/t-3', 'route/t-4', 'tools/pick-2', 'tools/pick-3']);
  assert.doesNotMatch(where, /trace|show_trace/, 'single mode has no tool to read a trace with');
});

test('show_failures shows the kind asked for, skipping the cases the prompt showed; show_trace reads a case\'s steps', async () => {
  // Long evidence: the prompt shows only some of the 60 misrouted cases.
  await model.run(routerWorkspace(60, 400, 'agent'), [
    toolCall('show_failures', { group: '1' }),
    toolCall('show_failures', { group: 'timeout' }),
    toolCall('show_failures', { group: 'no such kind' }),
    toolCall('show_trace', { case: 'route/b-59' }),
    toolCall('show_trace', { case: 'route/b-999' }),
    toolCall('edit_file', { path: 'agent/router.json', search: '"misrouted":60', replace: '"misrouted":2' }),
    toolCall('submit_change', { title: 'fewer misrouted', rationale: 'r' }),
  ]);
  const requests = model.server.proposalRequests();
  const prompt = promptOf(requests[0]!);
  const inPrompt = new Set([...prompt.slice(prompt.indexOf('## Examples'), prompt.indexOf('## Passing')).matchAll(/^- (route\/b-\S+)/gm)].map((m) => m[1]));
  assert.ok(inPrompt.size > 0 && inPrompt.size < 60, `the prompt shows some of the misrouted cases (${inPrompt.size})`);
  assert.match(prompt, /route\/b-0[^\n]*\n(?:.*\n)*? {2}trace: \d+ characters of the agent's steps; show_trace with case "route\/b-0" reads them/);

  const [kind1, timeout, none, trace, noCase] = toolResults(requests.at(-1)!).map((r) => ({ ...r, content: r.content.replace(/\n\n\[\d+ of \d+ turns left.*\]$/, '') }));
  assert.match(kind1!.content, /^Of the parent\. Kinds: 69 failing train case\(s\)\n- 1\. 60 × route: expected "billing" → got "tech"\n/);
  const page = [...kind1!.content.matchAll(/^- (route\/\S+)/gm)].map((m) => m[1]!);
  assert.ok(page.length > 0, 'a page of kind 1');
  assert.ok(page.every((id) => /^route\/b-\d+$/.test(id)), `kind 1 only: ${page.join(', ')}`);
  assert.ok(page.every((id) => !inPrompt.has(id)), 'none that the prompt showed');
  assert.match(kind1!.content, new RegExp(`\\n${page.length} failing case\\(s\\) of kind 1 \\(route: expected "billing" → got "tech"\\) not shown before, of ${60 - inPrompt.size} not shown yet \\(60 in all\\)`));
  assert.match(timeout!.content, /of kind 2 \(tools: group "timeout"\)/);
  assert.deepEqual(none, { content: 'no kind "no such kind" among the failures of the parent; the kinds are numbered 1–4 (show_failures without a group lists them)', is_error: true });
  assert.equal(trace!.content, 'Trace of route/b-59:\n[\n "read ticket b-59",\n "routed to tech"\n]');
  assert.deepEqual(noCase, { content: 'no train case "route/b-999"; name one as "eval/id", as show_failures lists them', is_error: true });
});
