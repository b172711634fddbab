import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliJson, copyExample, git, SEEDED, snapshot } from '../helpers';
import { openWorkbench, pick, reviewFrame, reviewFrameWith, runCommand, screenshot, type Workbench } from '../vscode/workbench';

test('a person starts the loop from the palette, reviews, approves, sees the version, and rolls back', async () => {
  const folder = copyExample(SEEDED);
  const baseline = git(folder, 'rev-parse', 'HEAD');
  const before = snapshot(folder);

  let workbench: Workbench = await openWorkbench(folder, 'dark');
  try {
    const dark = workbench.page;
    await runCommand(dark, 'AIAI: Start Improvement Loop');
    const status = dark.locator('.statusbar-item', { hasText: 'AIAI:' });
    await status.filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    await status.filter({ hasText: 'awaiting review' }).filter({ hasNotText: 'running' }).waitFor({ timeout: 120_000 });
    assert.equal(git(folder, 'rev-parse', 'HEAD'), baseline, 'the loop did not touch the branch');

    await runCommand(dark, 'AIAI: Open Review Panel');
    let frame = await reviewFrame(dark);
    const delta = frame.locator('#objective-delta');
    await delta.waitFor();
    assert.match(await delta.innerText(), /^\+0\.\d+$/);
    assert.match(await frame.locator('#objective').innerText(), /accuracy\s+0\.4333 → 0\.\d+/);
    await frame.locator('.diff-file').first().scrollIntoViewIfNeeded();
    await frame.locator('.d2h-file-wrapper').first().waitFor();
    assert.match(await frame.locator('.diff').innerText(), /agent\/params\.json/);
    await screenshot(dark, 'review-panel-dark.png');
    // The run's picture: a dot per evaluated candidate, and the lineage, each opening a candidate.
    await frame.locator('#run').scrollIntoViewIfNeeded();
    const run = cliJson<Array<{ delta: number | null }>>(folder, 'list');
    const evaluated = run.filter((c) => c.delta !== null).length;
    assert.ok(evaluated > 0, 'the run evaluated a candidate');
    assert.equal(await frame.locator('#run svg circle').count(), evaluated);
    assert.equal(await frame.locator('#run .lineage a').count(), run.length);
    await screenshot(dark, 'run-picture-dark.png');
    // Across runs, drawn: the baseline's score, and the run's evaluations as a bar.
    await frame.locator('#trends').scrollIntoViewIfNeeded();
    assert.equal(await frame.locator('#trends .trend-versions circle').count(), 1);
    assert.equal(await frame.locator('#trends .trend-runs rect').count(), 1);
    await screenshot(dark, 'trends-dark.png');
    await workbench.close();

    // The same workspace in a light theme: the panel comes back with the window.
    workbench = await openWorkbench(folder, 'light');
    const { page } = workbench;
    await runCommand(page, 'AIAI: Open Review Panel');
    frame = await reviewFrame(page);
    await frame.locator('body.vscode-light #objective-delta').waitFor();
    await screenshot(page, 'review-panel-light.png');

    // The panel survives hiding (another editor in front) and reloading the window,
    // on the same candidate and with what the person typed.
    const reviewed = await frame.locator('#title').innerText();
    await frame.locator('#reason input').fill('typed before hiding');
    await runCommand(page, 'Preferences: Open User Settings (JSON)');
    await page.locator('.tab.active', { hasText: 'settings.json' }).waitFor();
    await page.locator('.tab', { hasText: 'AIAI Review' }).click();
    frame = await reviewFrameWith(page, (f) => f.locator('#title', { hasText: reviewed }));
    assert.equal(await frame.locator('#reason input').inputValue(), 'typed before hiding');
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.part.activitybar .action-item a[aria-label^="AIAI"]').waitFor({ timeout: 60_000 });
    frame = await reviewFrameWith(page, (f) => f.locator('#title', { hasText: reviewed }));

    const title = await frame.locator('#title').innerText();
    await frame.locator('#approve').click();
    await frame.locator('#notice', { hasText: 'Approved' }).waitFor();
    // The approved version joins the trend.
    await frame.locator('#trends .trend-versions circle').nth(1).waitFor();
    assert.equal(git(folder, 'rev-parse', 'HEAD~1'), baseline);
    assert.match(git(folder, 'log', '-1', '--format=%B'), /^Aiai-Candidate: [0-9a-f]{12}$/m);
    assert.equal(git(folder, 'log', '-1', '--format=%s'), `aiai: ${title}`);
    const approved = git(folder, 'rev-parse', 'HEAD');

    await runCommand(page, 'View: Show AIAI');
    const versions = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Versions' }) }).locator('.monaco-list-row');
    await versions.filter({ hasText: 'v1' }).waitFor();
    assert.equal(await versions.count(), 2);
    await screenshot(page, 'versions-view.png');

    await runCommand(page, 'AIAI: Roll Back to Version');
    await pick(page, 'v0');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Roll back to v0\?/);
    await dialog.locator('.monaco-button', { hasText: 'Roll Back' }).click();
    await versions.filter({ hasText: 'v2' }).waitFor();

    assert.equal(git(folder, 'rev-parse', 'HEAD~1'), approved, 'the rollback is a new commit after the approval');
    assert.match(git(folder, 'log', '-1', '--format=%B'), new RegExp(`^Aiai-Rollback: v0 ${baseline}$`, 'm'));
    assert.equal(git(folder, 'rev-list', '--count', `${baseline}..HEAD`), '2', 'the branch gained exactly the approval and the rollback');
    assert.equal(git(folder, 'status', '--porcelain'), '');
    assert.deepEqual(snapshot(folder), before, 'nothing else in the workspace changed');
  } catch (error) {
    await screenshot(workbench.page, 'failure.png');
    throw error;
  } finally {
    await workbench.close();
  }
});
