import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { oneEvalWorkspace } from '../fixtures/oneEval';
import { cli, git, type CliResult } from '../helpers';

/*
 * What the CLI prints of text a model, an eval or a candidate wrote (issue 21, item
 * 13): a terminal shows its control characters instead of obeying them.
 */

const ESC = '\x1b';
const BEL = '\x07';
/** The C1 form of ESC [, which a terminal may obey as UTF-8 too. */
const CSI = '\u009b';
/** Erases the line and returns the cursor: what comes after hides what came before. */
const ERASE = `${ESC}[2K\r`;
/** Writes "pwned" to the clipboard. */
const CLIPBOARD = `${ESC}]52;c;cHduZWQ=${BEL}`;
/** A link whose text says one place and whose target is another. */
const LINK = `${ESC}]8;;https://evil.example/${ESC}\\https://good.example/${ESC}]8;;${ESC}\\`;

/**
 * An eval whose case evidence, feedback and log carry escape sequences, and that
 * crashes when the prompt asks it to.
 */
const EVAL_JS = `
const fs = require('fs');
const prompt = fs.readFileSync('agent/prompt.md', 'utf8');
if (prompt.includes('crash')) { console.error(${JSON.stringify(`boom${ERASE}all is well`)}); process.exit(3); }
const better = prompt.includes('better');
const cases = [{ id: 'c1', passed: better, input: ${JSON.stringify(`question${CLIPBOARD}`)}, output: ${JSON.stringify(`answer${ERASE}${CSI}2Khidden`)}, feedback: ${JSON.stringify(`see ${LINK}`)} }];
fs.writeFileSync(process.env.AIAI_METRICS_FILE, JSON.stringify({ metrics: { score: better ? 1 : 0 }, cases, feedback: ${JSON.stringify(`eval says${CLIPBOARD} hello`)} }));
`;

function workspace(): string {
  return oneEvalWorkspace(EVAL_JS);
}

/** A control character a terminal obeys: anything of C0 and C1 but a newline, a tab and the carriage return of a CRLF. */
const OBEYED = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)/;

function assertNothingObeyed(what: string, result: CliResult): void {
  for (const [stream, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
    const at = text.search(OBEYED);
    assert.ok(at < 0, `${what} printed ${JSON.stringify(text[at])} raw on ${stream}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}`);
  }
}

test("a model's or an eval's escape sequences are shown, not obeyed, by try, list, show, versions and lessons", () => {
  const dir = workspace();
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), `You are a better agent.\nsecret line${ERASE}harmless line\n`);
  const title = `tidy${LINK}${CLIPBOARD}`;
  const tried = cli(dir, 'try', '--title', title);
  assert.equal(tried.code, 0, tried.stderr);
  assertNothingObeyed('try', tried);
  const id = /candidate ([0-9a-f]+) awaits your review/.exec(tried.stdout)?.[1];
  assert.ok(id, tried.stdout);
  // Every character is still there to read, each control as a picture of it.
  assert.match(tried.stdout, /tidy␛\]8;;https:\/\/evil\.example\/␛\\https:\/\/good\.example\/␛\]8;;␛\\␛\]52;c;cHduZWQ=␇/);

  const listed = cli(dir, 'list');
  assertNothingObeyed('list', listed);
  assert.match(listed.stdout, /tidy␛\]8;;https:\/\/evil\.example\//);

  const shown = cli(dir, 'show', id);
  assert.equal(shown.code, 0, shown.stderr);
  assertNothingObeyed('show', shown);
  // The line the diff would have hidden, and the case evidence, are there to read.
  assert.match(shown.stdout, /^\+secret line␛\[2K␍harmless line$/m);
  assert.match(shown.stdout, /after passed\s+answer␛\[2K␍\\u\{9b\}2Khidden/);
  assert.match(shown.stdout, /question␛\]52;c;cHduZWQ=␇/);
  assert.match(shown.stdout, /see ␛\]8;;https:\/\/evil\.example\//);

  // A candidate whose eval crashed: its log's last lines.
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are an agent. crash\n');
  const crashed = cli(dir, 'try');
  assertNothingObeyed('try of a crashing candidate', crashed);
  const failedId = /candidate ([0-9a-f]+) failed/.exec(crashed.stdout)?.[1];
  assert.ok(failedId, crashed.stdout);
  const failedShown = cli(dir, 'show', failedId);
  assertNothingObeyed('show of a failed candidate', failedShown);
  assert.match(failedShown.stdout, /boom␛\[2K␍all is well/);

  git(dir, 'checkout', '--', 'agent/prompt.md');
  const approved = cli(dir, 'approve', id);
  assert.equal(approved.code, 0, approved.stderr);
  assertNothingObeyed('approve', approved);
  const versions = cli(dir, 'versions');
  assertNothingObeyed('versions', versions);
  assert.match(versions.stdout, /tidy␛\]8;;/);

  writeFileSync(path.join(dir, '.aiai', 'lessons.md'), `- keep prompts short${CLIPBOARD}\n`);
  const lessons = cli(dir, 'lessons');
  assertNothingObeyed('lessons', lessons);
  assert.match(lessons.stdout, /keep prompts short␛\]52;c;cHduZWQ=␇/);

  // An error that quotes a name given on the command line.
  const unknown = cli(dir, 'show', `nope${ERASE}`);
  assert.notEqual(unknown.code, 0);
  assertNothingObeyed('an error', unknown);
});

test('with --json, control characters are escaped as JSON and come back whole', () => {
  const dir = workspace();
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a better agent.\n');
  const title = `tidy${ERASE}${CSI}2K\u007f`;
  const tried = cli(dir, 'try', '--title', title, '--json');
  assert.equal(tried.code, 0, tried.stderr);
  assertNothingObeyed('try --json', tried);
  const { candidate } = JSON.parse(tried.stdout) as { candidate: { id: string; title: string } };
  assert.equal(candidate.title, title);

  const shown = cli(dir, 'show', candidate.id, '--json');
  assertNothingObeyed('show --json', shown);
  const record = JSON.parse(shown.stdout) as { title: string; evaluation: { evals: Array<{ feedback: string; cases: Array<{ output: string }> }> } };
  assert.equal(record.title, title);
  assert.equal(record.evaluation.evals[0]!.feedback, `eval says${CLIPBOARD} hello`);
  assert.equal(record.evaluation.evals[0]!.cases[0]!.output, `answer${ERASE}${CSI}2Khidden`);
});

test("show prints each eval's own feedback on the whole run", () => {
  const dir = workspace();
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a better agent.\n');
  const tried = cli(dir, 'try', '--json');
  assert.equal(tried.code, 0, tried.stderr);
  const { candidate } = JSON.parse(tried.stdout) as { candidate: { id: string } };
  const shown = cli(dir, 'show', candidate.id);
  assert.match(shown.stdout, /^feedback of train\n {2}eval says␛\]52;c;cHduZWQ=␇ hello$/m);
});
