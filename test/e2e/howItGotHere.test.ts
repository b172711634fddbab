import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cli, cliJson, copyExample, SEEDED } from '../helpers';
import { openWorkbench, reviewFrame, runCommand, screenshot } from '../vscode/workbench';

/** The tool calls an agent-mode proposer records with its candidate. */
const CONVERSATION = [
  { tool: 'show_failures', input: { page: 1 }, result: 'case t-3: expected "urgent", got "normal"', isError: false },
  { tool: 'read_file', input: { path: '.env' }, result: '.env is protected: the model may not read it', isError: true },
  {
    tool: 'edit_file',
    input: { path: 'agent/params.json', search: '{\n  "threshold": 0.5', replace: '{\n  "threshold": 0.4' },
    result: 'edited agent/params.json',
    isError: false,
  },
];

const DIAGNOSIS = {
  failurePattern: '4 of 12 urgent tickets are routed normal',
  rootCause: 'the urgency threshold is above their scores',
  hypothesis: 'lower the threshold to 0.4',
  expectedEffect: 'accuracy up by about 0.05; a few normal tickets may turn urgent',
};

const LESSONS = '- Worked: a lower urgency threshold.\n- Did not work: longer prompts.\n- Try next: the keyword list.';

/** Gives a candidate's record what a model proposer in agent mode would have written. */
function asIfByAgent(folder: string, id: string): void {
  const runs = path.join(folder, '.aiai', 'runs');
  const file = readdirSync(runs)
    .map((run) => path.join(runs, run, 'candidates', `${id}.json`))
    .find((f) => existsSync(f));
  assert.ok(file, `the record of ${id}`);
  const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const usage = { inputTokens: 1200, outputTokens: 300, cacheCreationTokens: 800, cacheReadTokens: 5000, costUsd: 0.0123 };
  writeFileSync(file, JSON.stringify({ ...record, model: 'claude-test-fast', conversation: CONVERSATION, usage, diagnosis: DIAGNOSIS }, null, 2));
}

test('a person reads how a candidate got here, why the model expected it to help, what each model did, and the lessons, and opens the lessons to edit them', async () => {
  const folder = copyExample(SEEDED);
  assert.equal(cli(folder, 'run').code, 0);
  // The panel opens on the first of the queue: clean candidates come before flagged ones.
  const pending = cliJson<Array<{ id: string; status: string; flags: string[] }>>(folder, 'list').find((c) => c.status === 'pending' && c.flags.length === 0);
  assert.ok(pending, 'the run left a clean candidate to review');
  asIfByAgent(folder, pending.id);
  writeFileSync(path.join(folder, '.aiai', 'lessons.md'), `${LESSONS}\n`);

  const workbench = await openWorkbench(folder, 'dark');
  const { page } = workbench;
  try {
    await runCommand(page, 'AIAI: Open Review Panel');
    const frame = await reviewFrame(page);
    await frame.locator(`[data-candidate="${pending.id}"]`).waitFor();
    assert.match(await frame.locator('.header .facts').first().innerText(), /proposer parameter-search \(claude-test-fast\)/);

    // What the model expected, written before its edit, beside what the evaluation found.
    const diagnosis = frame.locator('#diagnosis');
    assert.match(await diagnosis.locator('h2').innerText(), /^Why the model expects this to help$/);
    assert.deepEqual(await diagnosis.locator('dd').allInnerTexts().then((t) => t.slice(0, 4)), Object.values(DIAGNOSIS));
    assert.match(await diagnosis.locator('#what-happened').innerText(), /^accuracy [\d.]+ → [\d.]+ \(\+[\d.]+ against the parent\); pending$/);

    // Closed at first; its summary says how long the conversation was and that a call failed.
    const conversation = frame.locator('#conversation');
    assert.equal(await conversation.getAttribute('open'), null, 'closed at first');
    assert.match(await conversation.locator('summary').innerText(), /How it got here\s+3 tool calls, 1 failed/);
    await conversation.locator('summary').click();
    const steps = conversation.locator('.step');
    assert.equal(await steps.count(), 3);
    assert.deepEqual(await conversation.locator('.step-tool').allInnerTexts(), ['show_failures', 'read_file', 'edit_file']);
    assert.match(await steps.nth(1).innerText(), /read_file failed[\s\S]*path\s+\.env[\s\S]*\.env is protected/);
    assert.equal(await conversation.locator('.step-error').count(), 1);
    assert.match(await steps.nth(2).locator('dd pre').first().innerText(), /^\{\n {2}"threshold": 0\.5$/, 'an edit\'s search text keeps its lines');
    await conversation.scrollIntoViewIfNeeded();
    await screenshot(page, 'how-it-got-here-dark.png');

    const models = frame.locator('#models tbody tr');
    assert.equal(await models.count(), 1);
    assert.deepEqual(await models.first().locator('td').allInnerTexts(), ['claude-test-fast', '1', '1', '7,000 / 300', '$0.0123']);

    const lessons = frame.locator('#lessons');
    await lessons.locator('summary').click();
    assert.equal(await lessons.locator('.lessons-text').innerText(), LESSONS, 'the lessons as written, line by line');
    await lessons.scrollIntoViewIfNeeded();
    await screenshot(page, 'lessons-dark.png');
    await lessons.locator('#edit-lessons').click();
    await page.locator('.tab', { hasText: 'lessons.md' }).waitFor();
  } catch (error) {
    await screenshot(page, 'how-it-got-here-failure.png');
    throw error;
  } finally {
    await workbench.close();
  }
});
