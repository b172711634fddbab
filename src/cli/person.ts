import * as path from 'node:path';
import { loadConfig, type Config } from '../core/config/config';
import { checkoutCandidate } from '../core/deploy/checkout';
import { deriveCandidate } from '../core/loop/derive';
import type { PersonOptions, PersonResult } from '../core/loop/personCandidate';
import { tryChange } from '../core/loop/tryChange';
import { summarize } from '../core/record/summary';
import { candidateSummary } from './format';
import { print, printJson, STOPPED, warn } from './output';
import { progress, untilStopped } from './run';

/* `aiai try`, `aiai checkout`, `aiai derive`: the person as co-author. */

const BY = 'person via cli';

interface Json {
  json?: boolean;
}

export async function tryEdits(workspace: string, opts: Json & { parent?: string; title?: string }): Promise<void> {
  await grade(workspace, opts, (options) => tryChange(workspace, { ...options, ...(opts.parent ? { parent: opts.parent } : {}) }));
}

export async function derive(workspace: string, id: string, opts: Json & { only?: string[]; ownStep?: boolean; title?: string }): Promise<void> {
  // Paths are the repository's, from its root: "./agent/a.md" and "agent//a.md" name agent/a.md.
  const selection = opts.only ? opts.only.map((p) => ({ path: path.posix.normalize(p).replace(/^\.\//, '') })) : 'all';
  await grade(workspace, opts, (options) => deriveCandidate(workspace, id, selection, { ...options, ...(opts.ownStep ? { ownStep: true } : {}) }));
}

/** Runs a person's candidate through the loop, stoppable as `aiai run` is, and says what it came to. */
async function grade(workspace: string, opts: Json & { title?: string }, make: (options: PersonOptions) => Promise<PersonResult>): Promise<void> {
  const config = loadConfig(workspace);
  const { value: result, stoppedBy } = await untilStopped((signal) =>
    make({ by: BY, signal, onEvent: progress(config, opts.json), ...(opts.title ? { title: opts.title } : {}) }),
  );
  if (opts.json) printJson(personJson(result, config));
  else print(personText(result));
  if (result.run.state === 'interrupted') process.exitCode = STOPPED[stoppedBy ?? 'SIGINT'];
}

function personJson({ run, candidate, leftOut }: PersonResult, config: Config): Record<string, unknown> {
  return {
    run: run.id,
    candidate: candidate ? { ...candidateSummary(summarize(candidate), config.objective.eval), proposer: candidate.proposer, derivedFrom: candidate.derivedFrom ?? null } : null,
    leftOut,
  };
}

function personText({ run, candidate }: PersonResult): string {
  // What was left out was said as the run began.
  const lines: string[] = [];
  if (!candidate) lines.push(`run ${run.id} stopped before the candidate was graded; nothing was recorded of it`);
  else if (candidate.status === 'pending') {
    lines.push(`candidate ${candidate.id} awaits your review: \`aiai show ${candidate.id}\`, then \`aiai approve ${candidate.id}\` or \`aiai reject ${candidate.id}\``);
  } else lines.push(`candidate ${candidate.id} ${candidate.status}${candidate.reason ? `: ${candidate.reason}` : ''}; \`aiai show ${candidate.id}\` has the details`);
  return lines.join('\n');
}

export async function checkout(workspace: string, id: string, opts: Json): Promise<void> {
  const result = await checkoutCandidate(workspace, id, opts.json ? {} : { onNotice: warn });
  const cid = result.candidate.id;
  if (opts.json) return printJson({ candidate: cid, written: result.written, leftOut: result.leftOut, heldBy: result.heldBy ?? null });
  for (const file of result.leftOut) print(`left alone ${file}: not editable under the config now`);
  if (result.heldBy) return print(`${result.heldBy} already holds candidate ${cid}'s change; nothing was written`);
  print(`wrote candidate ${cid}'s change into the working tree (not staged, not committed): ${result.written.join(', ')}`);
  print(`Edit it, then \`aiai try --parent ${cid}\` grades your version.`);
}
