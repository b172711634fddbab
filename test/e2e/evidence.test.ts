import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { runLoop } from '../../src/core/loop/loop';
import { agentWorkspace, paramsStep, ScriptedProposer } from '../fixtures/agentWorkspace';
import { cli, cliJson, git } from '../helpers';
import { openWorkbench, pick, runCommand, screenshot } from '../vscode/workbench';

/**
 * The frame of whichever of our webviews shows `selector`: the review and the
 * comparison are each an iframe inside an iframe, and both hold an #app.
 */
async function frameWith(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview showed ${selector} within ${timeoutMs} ms`);
    // A webview's load navigates a frame, and its content follows the extension's message: look again then (or shortly).
    await page.waitForEvent('framenavigated', { timeout: 500 }).catch(() => undefined);
  }
}

test('a person sees the input, expected and actual output of a newly failing case, filters the cases, compares two candidates side by side, and rejects with a quick reason', async () => {
  // The loop raises x to 7 and then to 8; the person tries x back at 4 on top of the first: cases 4–6 fail again.
  const folder = agentWorkspace();
  const { candidates } = await runLoop(folder, { proposer: new ScriptedProposer([paramsStep('x to 7', { x: 7 }), paramsStep('x to 8', { x: 8 })]), signal: new AbortController().signal });
  const [seven, eight] = candidates;
  assert.ok(seven && eight && eight.parent.id === seven.id);
  writeFileSync(path.join(folder, 'agent', 'params.json'), '{ "x": 4 }\n');
  const tried = cli(folder, 'try', '--parent', seven.id, '--title', 'x back to 4');
  assert.equal(tried.code, 0, tried.stderr);
  git(folder, 'checkout', '--', 'agent/params.json');
  const mine = cliJson<Array<{ id: string; title: string; status: string }>>(folder, 'list').find((c) => c.title === 'x back to 4');
  assert.ok(mine && mine.status === 'pending', 'a person\'s change awaits review whatever its delta');

  const workbench = await openWorkbench(folder, 'dark');
  const { page } = workbench;
  try {
    // Opens the candidate from the Candidates view, as a person does.
    await runCommand(page, 'View: Show AIAI');
    await page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Candidates' }) }).locator('.monaco-list-row', { hasText: 'x back to 4' }).click();
    let review = await frameWith(page, `[data-candidate="${mine.id}"] #cases .case`);

    // The cases behind the score: newly failing, each with its evidence.
    assert.match(await review.locator('#cases-counts').innerText(), new RegExp(`^6 newly failing · 0 newly passing, against the parent ${seven.id}$`));
    const failing = review.locator('#cases .case').first();
    assert.equal(await failing.getAttribute('data-case'), 'smoke/smoke-4');
    assert.equal(await failing.locator('.case-verdict').innerText(), '✗ newly failing');
    assert.equal(await failing.locator('.case-input').innerText(), '{"question":"q4"}');
    assert.equal(await failing.locator('.case-expected').innerText(), 'answer-4');
    assert.match(await failing.locator('.case-before').innerText(), /Before\s+✓ passed\s+answer-4/);
    assert.match(await failing.locator('.case-after').innerText(), /After\s+✗ failed\s+no-idea\s+case 4 passes once x is above 4/);
    await review.locator('#cases').scrollIntoViewIfNeeded();
    await screenshot(page, 'cases-dark.png');
    // It grew from the loop's pending candidate: approving it applies both, as one change against v0.
    assert.match(await review.locator('#chain').innerText(), new RegExp(`2 steps from v0 \\([0-9a-f]{8}\\)[\\s\\S]*${seven.id} x to 7 \\(pending\\)[\\s\\S]*${mine.id} x back to 4 \\(this candidate\\)`));
    assert.equal(await review.locator('#chain-superseded').innerText(), `Approving marks ${seven.id} superseded: its change is part of this one.`);
    assert.match(await review.locator('#chain-objective').innerText(), /^Against the current version v0 \([0-9a-f]{8}\): score 0\.2 → 0\.4 \+0\.2$/);

    // A filter: the extension answers with the one case that matches.
    await review.locator('#cases-filter input').fill('train-5');
    await review.locator('#cases-range', { hasText: '1–1 of 1 matching “train-5”' }).waitFor();
    assert.deepEqual(await review.locator('#cases .case').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-case'))), ['train/train-5']);

    // Compare with…: the other candidate, picked in the workbench's quick pick, side by side.
    await review.locator('#compare-with').click();
    await pick(page, 'x to 8');
    const compare = await frameWith(page, '#compare-metrics');
    const sides = compare.locator('#compare-sides');
    assert.match(await sides.locator('[data-side="a"]').innerText(), new RegExp(`candidate ${mine.id}[\\s\\S]*x back to 4`));
    assert.match(await sides.locator('[data-side="b"]').innerText(), new RegExp(`candidate ${eight.id}[\\s\\S]*x to 8`));
    assert.deepEqual(await compare.locator('#compare-metrics tr[data-metric="train/score"] td').allInnerTexts(), ['train', 'score', '0.4', '0.8', '+0.4']);
    assert.match(await compare.locator('#compare-objective').innerText(), /score\s+A 0\.4 · B 0\.8\s+\+0\.4/);
    assert.match(await compare.locator('#compare-cases-counts').innerText(), /^0 pass on A only · 8 pass on B only/);
    await screenshot(page, 'compare-dark.png');

    // A window reload brings the comparison back, on the same two.
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.part.activitybar .action-item a[aria-label^="AIAI"]').waitFor({ timeout: 60_000 });
    const restored = await frameWith(page, '#compare-metrics', 60_000);
    assert.match(await restored.locator('#compare-sides [data-side="a"]').innerText(), new RegExp(`candidate ${mine.id}`));
    assert.match(await restored.locator('#compare-sides [data-side="b"]').innerText(), new RegExp(`candidate ${eight.id}`));

    // Back in the review, beside the comparison: reject with a quick reason.
    review = await frameWith(page, `[data-candidate="${mine.id}"] #reject`);
    await review.locator('#quick-reasons [data-reason="wrong-direction"]').click();
    assert.equal(await review.locator('[data-reason="wrong-direction"]').getAttribute('aria-pressed'), 'true');
    await review.locator('#reject').click();
    await review.locator('#notice', { hasText: `Rejected ${mine.id}: wrong-direction` }).waitFor();
    const record = cliJson<{ status: string; decision: { because?: string; by: string } }>(folder, 'show', mine.id);
    assert.deepEqual([record.status, record.decision.because, record.decision.by], ['rejected', 'wrong-direction', 'person via vscode']);

    // The queue moves on; approving the loop's chain supersedes its first step, which can then be neither approved nor rejected.
    await review.locator(`[data-candidate="${seven.id}"] #next`).click();
    await review.locator(`[data-candidate="${eight.id}"] #chain`).waitFor();
    await review.locator('#approve').click();
    await review.locator('#notice', { hasText: `Approved ${eight.id}` }).waitFor();
    assert.match(await review.locator('#notice').innerText(), /1 pending candidate\(s\) superseded$/);
    await review.locator('#run .lineage a', { hasText: seven.id }).click();
    const approve = review.locator(`[data-candidate="${seven.id}"] #approve`);
    await approve.waitFor();
    assert.equal(await review.locator('.badges').innerText(), 'superseded');
    for (const button of [approve, review.locator('#reject')]) {
      assert.equal(await button.getAttribute('disabled'), '', 'off');
      assert.equal(await button.getAttribute('title'), `This candidate was superseded by ${eight.id} (v1), which applied its change as part of the chain. It can no longer be approved or rejected.`);
    }
    await screenshot(page, 'superseded-dark.png');
  } catch (error) {
    await screenshot(page, 'evidence-failure.png');
    throw error;
  } finally {
    await workbench.close();
  }
});
