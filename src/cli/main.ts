import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadConfig } from '../core/config/config';
import { approve } from '../core/deploy/approve';
import { reject } from '../core/deploy/reject';
import { rollback } from '../core/deploy/rollback';
import { AiaiError, errorMessage } from '../core/common/errors';
import { Git } from '../core/git/git';
import { initWorkspace } from '../core/config/init';
import { runLoop, type LoopEvent } from '../core/loop/loop';
import { LESSONS_FILE, readLessons } from '../core/record/lessons';
import { Store } from '../core/record/store';
import { listVersions } from '../core/deploy/versions';
import { formatNumber } from '../shared/format';
import { candidateDetails, candidateLine, candidateSummary, runSummaryText, versionLine } from './format';

/** Who acts through the CLI, told of interrupted deploys it completes first. */
const ACTOR = { by: 'person via cli', onNotice: (message: string) => void process.stderr.write(`aiai: ${message}\n`) };

const EXIT = { ok: 0, runtime: 1, usage: 2, interrupted: 130 } as const;

interface Global {
  workspace: string;
}

const program = new Command('aiai')
  .description('Improve the agent in this git workspace: propose, grade in isolation, deploy only what you approve.')
  .option('-C, --workspace <dir>', 'the workspace (a git repository root with .aiai/config.json)', process.cwd())
  .showHelpAfterError()
  .exitOverride();

const workspaceOf = (): string => path.resolve((program.opts() as Global).workspace);
const print = (text: string): void => void process.stdout.write(`${text}\n`);
const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));

program
  .command('init')
  .description('write a commented .aiai/config.json and .aiai/.gitignore')
  .option('--json', 'print the result as JSON')
  .action((opts: { json?: boolean }) => {
    const result = initWorkspace(workspaceOf());
    if (opts.json) return printJson(result);
    print(`wrote ${result.configFile}`);
    print(result.guessedFrom ? `eval command guessed from ${result.guessedFrom}: ${result.evalCommand}` : 'no eval command found: edit "evals" in the config');
    print('Next: make the eval print metrics, set "objective", then `aiai run`.');
  });

program
  .command('run')
  .description('evaluate the current version, then propose and grade candidates; nothing reaches your branch until you approve')
  .option('--iterations <n>', 'candidates to try (default: budget.iterations)', positiveInt)
  .option('--parallel <k>', 'candidates evaluated at once (default: parallel)', positiveInt)
  .option('--json', 'print the run summary as JSON at the end')
  .action(async (opts: { iterations?: number; parallel?: number; json?: boolean }) => {
    const workspace = workspaceOf();
    const config = loadConfig(workspace);
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      if (++interrupts > 1) process.exit(EXIT.interrupted);
      process.stderr.write('\nstopping: discarding the candidate in flight (Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const onEvent = (event: LoopEvent): void => {
      if (opts.json) return;
      if (event.type === 'notice') process.stderr.write(`aiai: ${event.message}\n`);
      if (event.type === 'baseline') print(`baseline ${event.evaluation.commit.slice(0, 8)}: ${config.objective.metric} ${formatNumber(event.objectiveValue)}`);
      if (event.type === 'candidate') print(`[${String(event.index).padStart(String(event.total).length)}/${event.total}] ${candidateLine(event.candidate)}`);
    };
    try {
      const summary = await runLoop(workspace, {
        ...(opts.iterations ? { iterations: opts.iterations } : {}),
        ...(opts.parallel ? { parallel: opts.parallel } : {}),
        signal: controller.signal,
        onEvent,
      });
      if (opts.json) {
        printJson({ run: summary.run, best: summary.best?.id ?? null, candidates: summary.candidates.map((c) => candidateSummary(c, config.objective.eval)) });
      } else {
        print(runSummaryText(summary, config.objective.metric));
      }
      if (summary.run.state === 'interrupted') process.exitCode = EXIT.interrupted;
    } finally {
      process.off('SIGINT', onSigint);
    }
  });

program
  .command('list')
  .description('list candidates, newest last')
  .option('--json', 'print an array of candidates')
  .action((opts: { json?: boolean }) => {
    const config = loadConfig(workspaceOf());
    const candidates = new Store(config.workspace).candidates();
    if (opts.json) return printJson(candidates.map((c) => candidateSummary(c, config.objective.eval)));
    if (candidates.length === 0) return print('no candidates yet: `aiai run` makes some');
    for (const c of candidates) print(candidateLine(c));
  });

program
  .command('show <id>')
  .description('show a candidate: evaluation, deltas, changed cases and diff')
  .option('--json', 'print the whole record')
  .action((id: string, opts: { json?: boolean }) => {
    const store = new Store(loadConfig(workspaceOf()).workspace);
    const candidate = store.candidate(id);
    if (opts.json) return printJson(candidate);
    print(candidateDetails(candidate, store.candidates()));
  });

program
  .command('approve <id>')
  .description('commit a pending candidate onto the checked-out branch')
  .option('--hash <contentHash>', 'refuse unless the candidate still has this content hash')
  .option('--json', 'print the result as JSON')
  .action(async (id: string, opts: { hash?: string; json?: boolean }) => {
    const result = await approve(workspaceOf(), id, { ...ACTOR, ...(opts.hash ? { contentHash: opts.hash } : {}) });
    if (opts.json) return printJson({ id: result.candidate.id, status: result.candidate.status, commit: result.commit });
    print(`approved ${result.candidate.id}: committed ${result.commit.slice(0, 8)} "aiai: ${result.candidate.title}"`);
  });

program
  .command('reject <id>')
  .description('reject a pending candidate')
  .option('--reason <text>', 'why, kept with the record')
  .option('--json', 'print the result as JSON')
  .action(async (id: string, opts: { reason?: string; json?: boolean }) => {
    const rejected = await reject(workspaceOf(), id, { ...ACTOR, ...(opts.reason ? { reason: opts.reason } : {}) });
    if (opts.json) return printJson({ id: rejected.id, status: rejected.status, reason: rejected.reason ?? null });
    print(`rejected ${rejected.id}`);
  });

program
  .command('lessons')
  .description('print the workspace\'s lessons (.aiai/lessons.md): what earlier runs learned, rewritten after each model run; edit the file to add your own')
  .option('--json', 'print { file, lessons } as JSON')
  .action((opts: { json?: boolean }) => {
    const workspace = loadConfig(workspaceOf()).workspace;
    const lessons = readLessons(workspace);
    if (opts.json) return printJson({ file: path.join(workspace, LESSONS_FILE), lessons: lessons ?? null });
    print(lessons ?? `no lessons yet: a run with a model proposer writes ${LESSONS_FILE}, and you may write it yourself`);
  });

program
  .command('versions')
  .description('list the baseline and every accepted version, newest first')
  .option('--json', 'print an array of versions')
  .action(async (opts: { json?: boolean }) => {
    const config = loadConfig(workspaceOf());
    const git = await Git.open(config.workspace);
    const versions = await listVersions(git, new Store(git.root), config);
    if (opts.json) return printJson(versions);
    const head = await git.head();
    for (const v of versions) print(versionLine(v, config.objective.metric, v.commit === head));
  });

program
  .command('rollback <version>')
  .description('restore the editable files of a version (vN, baseline, or a commit) as a new commit')
  .option('--json', 'print the result as JSON')
  .action(async (version: string, opts: { json?: boolean }) => {
    const result = await rollback(workspaceOf(), version, ACTOR);
    if (opts.json) return printJson({ version: result.target.version, restored: result.target.commit, commit: result.commit ?? null });
    print(
      result.commit
        ? `rolled back to ${result.target.version}: committed ${result.commit.slice(0, 8)}`
        : `nothing to do: the editable files already match ${result.target.version}`,
    );
  });

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander reports is a usage error.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.stderr.write(`aiai: ${errorMessage(error)}\n`);
    process.exitCode = error instanceof AiaiError ? (error.kind === 'runtime' ? EXIT.runtime : EXIT.usage) : EXIT.runtime;
  }
}

void main();
