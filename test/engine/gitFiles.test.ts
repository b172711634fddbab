import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureDebianPackages } from '../../scripts/debian.mjs';
import { approve } from '../../src/core/deploy/approve';
import { rollback } from '../../src/core/deploy/rollback';
import { runLoop } from '../../src/core/loop/loop';
import { tryChange } from '../../src/core/loop/tryChange';
import { agentWorkspace, proposal, ScriptedProposer } from '../fixtures/agentWorkspace';
import { MessagesServer, toolCall, toolResults } from '../fixtures/messagesServer';
import { commitAll, git, tempDir } from '../helpers';

/*
 * Files as git keeps them (issue 21): bytes that are not UTF-8, git's filters and
 * attributes (LFS, eol=crlf), and git's hooks, which never run for a candidate.
 */

before(() => ensureDebianPackages(['git-lfs']));

let server: MessagesServer;
before(async () => {
  server = await MessagesServer.start();
});
after(() => server.close());

const BY = { by: 'person via test', signal: new AbortController().signal };
const run = (dir: string, options: Partial<Parameters<typeof runLoop>[1]> = {}) => runLoop(dir, { signal: new AbortController().signal, ...options });

/** A file's bytes as a commit holds them. */
const blob = (dir: string, ref: string): Buffer => execFileSync('git', ['cat-file', 'blob', ref], { cwd: dir });
const bytesOf = (dir: string, file: string): Buffer => readFileSync(path.join(dir, file));
const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

/** A Latin-1 prompt: "é" and "è" are the single bytes E9 and E8, which are not UTF-8. */
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const PROMPT_LATIN1 = '# Réponds brièvement.\nAnswer briefly, at temperature 1.50.\n# Très bien.\n';

function commitBytes(dir: string, file: string, bytes: Buffer): void {
  writeFileSync(path.join(dir, file), bytes);
  commitAll(dir, `${file} as bytes`);
}

test('a knob in a Latin-1 file: every candidate and the approved commit keep every byte but the value', async () => {
  const dir = agentWorkspace({
    config: {
      knobs: [{ name: 'temperature', file: 'agent/prompt.md', pattern: 'temperature (\\d+\\.\\d+)', min: 0, max: 2, step: 0.1 }],
      proposer: { kind: 'parameter-search', seed: 5 },
      evals: [{ name: 'train', command: 'node eval/temperature.js', timeoutSec: 20 }],
    },
    files: {
      'eval/temperature.js': "const t = Number(/temperature (\\d+\\.\\d+)/.exec(require('fs').readFileSync('agent/prompt.md', 'latin1'))[1]);\nconsole.log(JSON.stringify({ score: 2 - Math.abs(t - 0.4) }));\n",
    },
  });
  commitBytes(dir, 'agent/prompt.md', latin1(PROMPT_LATIN1));

  const { candidates } = await run(dir, { iterations: 3 });
  assert.equal(candidates.length, 3);
  for (const c of candidates) {
    const bytes = blob(dir, `${c.commit}:agent/prompt.md`);
    const value = /temperature (\d+\.\d+)/.exec(bytes.toString('latin1'))![1]!;
    assert.notEqual(value, '1.50', `${c.id} changes the knob`);
    assert.deepEqual(bytes, latin1(PROMPT_LATIN1.replace('1.50', value)), `${c.id}: every other byte is as it was`);
  }

  const best = candidates.filter((c) => c.status === 'pending').sort((a, b) => b.objective!.value - a.objective!.value)[0]!;
  await approve(dir, best.id, BY);
  const approved = bytesOf(dir, 'agent/prompt.md');
  assert.deepEqual(blob(dir, 'HEAD:agent/prompt.md'), approved);
  assert.ok(approved.includes(0xe9) && !approved.includes(REPLACEMENT), 'the approved file is still Latin-1');
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test("aiai try carries a person's edit of a Latin-1 file byte for byte", async () => {
  const dir = agentWorkspace();
  commitBytes(dir, 'agent/prompt.md', latin1(PROMPT_LATIN1));
  const edited = latin1(PROMPT_LATIN1.replace('Très bien.', 'Très, très bien.'));
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), edited);

  const { candidate, leftOut } = await tryChange(dir, BY);
  assert.deepEqual(leftOut, []);
  assert.deepEqual(blob(dir, `${candidate!.commit}:agent/prompt.md`), edited);
});

test('the model is told a Latin-1 file is not UTF-8 text, and its edit of the file keeps the other bytes; no request holds a lone surrogate', async () => {
  const dir = agentWorkspace({ config: { proposer: { kind: 'anthropic', model: 'claude-sonnet-5-5', maxRetries: 1 }, budget: { iterations: 1 } } });
  commitBytes(dir, 'agent/prompt.md', latin1(PROMPT_LATIN1));
  server.reset().reply(
    toolCall('read_file', { path: 'agent/prompt.md' }),
    toolCall('search_files', { pattern: 'bien' }),
    toolCall('edit_file', { path: 'agent/prompt.md', search: 'Answer briefly', replace: 'Answer in one line' }),
    toolCall('submit_change', { title: 'one line', rationale: 'shorter answers' }),
  );
  const { candidates } = await run(dir, { env: { ...process.env, ANTHROPIC_API_KEY: 'sk-test-loopback', ANTHROPIC_BASE_URL: server.url } });

  const requests = server.proposalRequests();
  const results = toolResults(requests.at(-1)!);
  assert.equal(results[0]!.is_error, true);
  assert.match(results[0]!.content, /^cannot read "agent\/prompt\.md": it is not UTF-8 text \(byte 0xE9 on line 1\)/);
  assert.match(JSON.stringify(requests[0]), /agent\/prompt\.md: not UTF-8 text \(byte 0xE9 on line 1\)/, 'the prompt names the file it leaves out');
  assert.match(results[1]!.content, /agent\/prompt\.md:3: # Tr\uFFFDs bien\./, 'a line the search shows has U+FFFD where the byte is');
  assert.doesNotMatch(server.requests.map((r) => r.raw).join('\n'), /\\ud[89a-f][0-9a-f]{2}/i, 'no request holds a lone surrogate, which the API refuses as invalid JSON');
  assert.deepEqual(blob(dir, `${candidates[0]!.commit}:agent/prompt.md`), latin1(PROMPT_LATIN1.replace('Answer briefly', 'Answer in one line')));
});

test('an LFS-tracked file edited with aiai try is committed as a pointer: approving leaves a clean status, and rollback works', async () => {
  const dir = agentWorkspace();
  git(dir, 'lfs', 'install', '--local');
  git(dir, 'lfs', 'track', 'agent/prompt.md');
  git(dir, 'add', '--renormalize', '.');
  commitAll(dir, 'the prompt in LFS');
  const baseline = git(dir, 'rev-parse', 'HEAD');
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), 'You are a careful agent.\n');

  const { candidate } = await tryChange(dir, BY);
  assert.match(blob(dir, `${candidate!.commit}:agent/prompt.md`).toString(), /^version https:\/\/git-lfs\.github\.com\/spec\/v1\noid sha256:/, 'the candidate holds a pointer, as git add would store it');

  await approve(dir, candidate!.id, BY);
  assert.equal(git(dir, 'status', '--porcelain'), '', 'nothing shows modified after the approval');
  assert.equal(readFileSync(path.join(dir, 'agent', 'prompt.md'), 'utf8'), 'You are a careful agent.\n');

  await rollback(dir, baseline, BY);
  assert.equal(git(dir, 'status', '--porcelain'), '');
  assert.equal(readFileSync(path.join(dir, 'agent', 'prompt.md'), 'utf8'), 'You are a helpful agent.\n');
});

test('with "* text eol=crlf", a one-line edit made with aiai try is a one-line change, and approving it leaves a clean status', async () => {
  const lines = Array.from({ length: 22 }, (_, i) => `Rule ${i + 1}: be helpful.`);
  const dir = agentWorkspace({ files: { '.gitattributes': '* text eol=crlf\n', 'agent/prompt.md': `${lines.join('\n')}\n` } });
  // The checkout holds what eol=crlf writes there: every line ends in CR LF.
  rmSync(path.join(dir, 'agent', 'prompt.md'));
  git(dir, 'checkout', '--', 'agent/prompt.md');
  assert.equal(bytesOf(dir, 'agent/prompt.md').toString(), `${lines.join('\r\n')}\r\n`);
  lines[4] = 'Rule 5: be brief.';
  writeFileSync(path.join(dir, 'agent', 'prompt.md'), `${lines.join('\r\n')}\r\n`);

  const { candidate } = await tryChange(dir, BY);
  assert.equal(git(dir, 'diff', '--numstat', candidate!.base!, candidate!.commit!), '1\t1\tagent/prompt.md');

  await approve(dir, candidate!.id, BY);
  assert.equal(git(dir, 'status', '--porcelain'), '');
});

test("no git hook runs for a candidate, not the person's nor one a candidate rewrote under a relative core.hooksPath; approving runs the person's post-merge as git merge would", async () => {
  const marker = path.join(tempDir(), 'hooks-that-ran');
  const hook = (name: string) => `#!/bin/sh\necho ${name} >> '${marker}'\n`;
  const dir = agentWorkspace({
    files: { 'agent/hooks/post-checkout': hook('baseline'), 'agent/hooks/post-merge': hook('merged'), 'agent/hooks/reference-transaction': hook('ref') },
  });
  for (const name of ['post-checkout', 'post-merge', 'reference-transaction']) chmodSync(path.join(dir, 'agent', 'hooks', name), 0o755);
  commitAll(dir, 'executable hooks');
  git(dir, 'config', 'core.hooksPath', 'agent/hooks');
  writeFileSync(marker, '');

  const proposer = new ScriptedProposer([
    () => proposal('a hook of its own', [{ path: 'agent/hooks/post-checkout', search: 'echo baseline', replace: 'echo candidate' }]),
    () => proposal('x to 6', [{ path: 'agent/params.json', search: '"x": 2', replace: '"x": 6' }]),
  ]);
  const { candidates } = await run(dir, { proposer, iterations: 2 });
  assert.deepEqual(candidates.map((c) => c.status), ['rejected', 'pending'], 'both were graded');
  assert.equal(readFileSync(marker, 'utf8'), '', 'no hook ran: worktree add, checkout and the refs of candidates fire none');

  await approve(dir, candidates[1]!.id, BY);
  const ran = readFileSync(marker, 'utf8').split('\n');
  assert.equal(ran.filter((l) => l === 'merged').length, 1, "the person's post-merge ran once, for their branch");
  assert.ok(!ran.includes('candidate') && !ran.includes('baseline'), 'no checkout hook ran');
});
