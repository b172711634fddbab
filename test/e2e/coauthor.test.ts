import assert from 'node:assert/strict';
import { readFileSync, watch, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { cliJson, copyExample, git } from '../helpers';
import { openWorkbench, reviewFrame, runCommand, screenshot } from '../vscode/workbench';

interface Shown {
  proposer: string;
  parent: { id: string | null };
  derivedFrom?: string;
  status: string;
  diff: string;
  changedPaths: string[];
}

/** Resolves once `file` on disk matches `pattern`, watching its folder (an editor saves by a rename). */
function untilSaved(file: string, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!pattern.test(readFileSync(file, 'utf8'))) return;
      watcher.close();
      clearTimeout(timer);
      resolve();
    };
    const watcher = watch(path.dirname(file), check);
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${file} was not saved with ${pattern} within ${timeoutMs} ms`));
    }, timeoutMs);
    check();
  });
}

test('a person keeps one hunk of a candidate, edits it in the workspace, and has their version graded, all from the panel and the palette', async () => {
  const folder = copyExample();
  const triage = path.join(folder, 'agent', 'triage.mjs');
  const committed = readFileSync(triage, 'utf8');
  // A candidate of two hunks in one file, made with the CLI: read more words (line 8), and a note (line 21).
  writeFileSync(triage, committed.replace('const READ_WORDS = 12;', 'const READ_WORDS = 24;').replace("'urgent' : 'normal';", "'urgent' : 'normal'; // ties go urgent"));
  const made = cliJson<{ candidate: { id: string } }>(folder, 'try', '--title', 'read more words, with a note').candidate.id;
  git(folder, 'checkout', '--', 'agent');
  const head = git(folder, 'rev-parse', 'HEAD');

  const workbench = await openWorkbench(folder, 'dark');
  const { page } = workbench;
  try {
    await runCommand(page, 'AIAI: Open Review Panel');
    const frame = await reviewFrame(page);
    await frame.locator(`.review[data-candidate="${made}"]`).waitFor();

    // Keep part of it: the first hunk only, picked by its box beside its @@ line and first lines.
    const selection = frame.locator('#selection');
    assert.equal(await selection.getAttribute('open'), '', 'open at first: there is more than one part to choose from');
    const hunks = selection.locator('.selection-hunk');
    assert.equal(await hunks.count(), 2);
    assert.match(await hunks.nth(0).innerText(), /^\s*@@ -5,7 \+5,7 @@[^]*-const READ_WORDS = 12;\n\+const READ_WORDS = 24;/);
    assert.match(await hunks.nth(1).innerText(), /\/\/ ties go urgent/);
    assert.equal(await frame.locator('#evaluate-selection[disabled]').count(), 1, 'nothing ticked, nothing to evaluate');
    await hunks.nth(0).locator('input').check();
    assert.equal(await selection.locator('.pick-file:indeterminate').count(), 1, 'the file is half ticked');
    await screenshot(page, 'coauthor-selection-dark.png');
    await frame.locator('#evaluate-selection').click();

    const derivedView = frame.locator('.review', { has: frame.locator('#derived-from', { hasText: `part of candidate ${made}` }) });
    await derivedView.waitFor({ timeout: 60_000 });
    const derived = await derivedView.getAttribute('data-candidate');
    assert.ok(derived && derived !== made);
    assert.match(await frame.locator('#notice').innerText(), new RegExp(`^Part of candidate ${made} is candidate ${derived}: it awaits your review`));
    const kept = cliJson<Shown>(folder, 'show', derived);
    assert.equal(kept.derivedFrom, made);
    assert.equal(kept.diff.match(/^@@ /gm)?.length, 1, 'only the hunk kept');
    assert.match(kept.diff, /^\+const READ_WORDS = 24;$/m);
    assert.doesNotMatch(kept.diff, /ties go urgent/);

    // Edit in Workspace: the kept change lands in the working tree and opens in the editor.
    await frame.locator('#edit-in-workspace').click();
    await frame.locator('#notice', { hasText: `Wrote candidate ${derived}'s change into agent/triage.mjs` }).waitFor();
    await frame.locator('#checked-out').waitFor();
    assert.match(readFileSync(triage, 'utf8'), /^const READ_WORDS = 24;$/m);
    const editor = page.locator('.editor-group-container', { has: page.locator('.tab.active[data-resource-name="triage.mjs"]') });
    await editor.waitFor();

    // The person types their own line, saves, and asks for a grade from the palette.
    await editor.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('// tuned by hand');
    await page.keyboard.press('Control+S');
    await untilSaved(triage, /^\/\/ tuned by hand$/m);
    await runCommand(page, 'AIAI: Evaluate My Changes');

    const notice = frame.locator('#notice', { hasText: `Your change, graded on candidate ${derived}, is candidate` });
    await notice.waitFor({ timeout: 60_000 });
    const mine = await frame.locator('.review').getAttribute('data-candidate');
    assert.ok(mine && mine !== derived);
    assert.match(await notice.innerText(), new RegExp(`^Your change, graded on candidate ${derived}, is candidate ${mine}: it awaits your review`));
    assert.match(await frame.locator('.header .facts').first().innerText(), new RegExp(`lineage baseline → ${derived} → ${mine}`));
    await screenshot(page, 'coauthor-graded-dark.png');
    const graded = cliJson<Shown>(folder, 'show', mine);
    assert.equal(graded.proposer, 'person');
    assert.equal(graded.parent.id, derived);
    assert.equal(graded.status, 'pending');
    assert.match(graded.diff, /^\+\/\/ tuned by hand$/m);
    assert.match(graded.diff, /^\+const READ_WORDS = 24;$/m);

    assert.equal(git(folder, 'rev-parse', 'HEAD'), head, 'the branch did not move');
    assert.equal(git(folder, 'diff', '--cached', '--name-only'), '', 'nothing was staged');
    assert.equal(git(folder, 'diff', '--name-only'), 'agent/triage.mjs', 'the person\'s edit stays in their working tree');
  } catch (error) {
    await screenshot(page, 'coauthor-failure.png');
    throw error;
  } finally {
    await workbench.close();
  }
});
