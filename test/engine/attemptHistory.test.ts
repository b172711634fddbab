import assert from 'node:assert/strict';
import { test } from 'node:test';
import { approve } from '../../src/core/deploy/approve';
import { reject } from '../../src/core/deploy/reject';
import { toolCall, type MessagesRequest } from '../fixtures/messagesServer';
import { scriptedModel } from '../fixtures/scriptedModel';
import { git } from '../helpers';

/*
 * An attributable history (issue 22, item 5): each earlier attempt names the version
 * it was built on and where it stands now; a person's rejected change comes with its
 * diff; the lessons writer reads rationales, diagnoses, diffs and what run_evals found,
 * and is asked to cite candidate ids. Through the real SDK against a loopback server.
 */

const model = scriptedModel();
const BY = { by: 'person via test' };

const setX = (from: number, to: number) => toolCall('edit_file', { path: 'agent/params.json', search: `"x": ${from}`, replace: `"x": ${to}` });
const submit = (title: string) => toolCall('submit_change', { title, rationale: `RATIONALE-${title.replace(/\W/g, '-')}` });

function text(request: MessagesRequest): string {
  return JSON.stringify(request.messages).replace(/\\n/g, '\n').replace(/\\"/g, '"');
}

test("later proposals read what each attempt was built on and where it stands, a person's rejection with its diff; the lessons writer reads the reasoning and cites ids", async () => {
  const dir = model.workspace();
  const firstBase = git(dir, 'rev-parse', 'HEAD').trim();

  // Run 1: "x to 5" is checked with run_evals, then approved by a person.
  const one = await model.run(dir, [setX(2, 5), toolCall('run_evals', {}), submit('x to 5')]);
  const approved = one.candidates[0]!;
  assert.equal(approved.status, 'pending', approved.reason);
  const lessonsOfRun1 = model.server.messageRequests().find((r) => !r.tools?.length)!;
  const reflected = text(lessonsOfRun1);
  assert.match(reflected, new RegExp(`- \\[improved, awaiting review\\] ${approved.id} "x to 5", built on version ${firstBase.slice(0, 8)} → 0\\.5 \\(\\+0\\.3\\)`));
  assert.match(reflected, /\n {2}rationale: RATIONALE-x-to-5\n/);
  assert.match(reflected, /\n {2}root cause: x in agent\/params\.json is too small\n/);
  assert.match(reflected, /\n {2}run_evals 1 on its draft: The train evals ran\.\n {4}- smoke: score 0\.5 \(\+0\.3 vs the parent\)/);
  assert.match(reflected, /\n {2}its change:\n```diff\n[^`]*-  "x": 2\n\+  "x": 5\n/);
  assert.match(JSON.stringify(lessonsOfRun1.system), /cite the candidate ids each lesson rests on, in brackets/);
  await approve(dir, approved.id, BY);
  const secondBase = git(dir, 'rev-parse', 'HEAD').trim();

  // Run 2: "x to 6", on the approved version, is rejected by a person.
  const two = await model.run(dir, [setX(5, 6), submit('x to 6')]);
  const rejected = two.candidates[0]!;
  await reject(dir, rejected.id, { ...BY, reason: 'six is too many for our users' });

  // Run 3 reads both, as they stand now.
  await model.run(dir, [setX(5, 4), submit('x to 4')]);
  const prompt = text(model.server.proposalRequests()[0]!);
  assert.match(prompt, new RegExp(`- \\[improved, approved by a person\\] ${approved.id} "x to 5", built on version ${firstBase.slice(0, 8)} → 0\\.5 \\(\\+0\\.3\\); hypothesis: raise x; expected: score up by about 0\\.1 per step of x`));
  assert.match(prompt, new RegExp(`- \\[rejected by a person\\] ${rejected.id} "x to 6", built on version ${secondBase.slice(0, 8)} → 0\\.6 \\(\\+0\\.1\\) — six is too many for our users;`));
  const rejections = prompt.slice(prompt.indexOf('# Changes a person rejected, and why'));
  assert.match(rejections, new RegExp(`^# Changes a person rejected, and why \\(do not propose them again\\)\n- "x to 6" \\(candidate ${rejected.id}\\): six is too many for our users\n\`\`\`diff\ndiff --git a/agent/params\\.json b/agent/params\\.json\n[^\`]*-  "x": 5\n\\+  "x": 6\n[^\`]*\`\`\``));
});
