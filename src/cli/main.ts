import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { version } from '../../package.json';
import { AiaiError, ConfigError, errorMessage } from '../core/common/errors';
import { CANDIDATE_STATUSES, QUICK_REASONS, type QuickReason } from '../shared/review';
import { EXIT, print, printJson, warn, watchOutput } from './output';
import type { RunOptions } from './run';

/*
 * The commands and their arguments, and nothing else at first: each action loads
 * what it needs when it runs (import() below; esbuild.mjs splits those into chunks).
 * Loading the whole engine, the model SDK and the schema validator before parsing
 * made `aiai --help` take 240–390 ms against a bare node's 80–90 ms.
 */

interface Global {
  workspace: string;
}

interface Json {
  json?: boolean;
}

/** What `list --status` accepts: a candidate's status, or `damaged` for a record that cannot be read. */
const LISTED_STATUSES = [...CANDIDATE_STATUSES, 'damaged'] as const;

/** With --json, an error is JSON too, on stdout where the result would have been. */
const json = process.argv.includes('--json');

const program = new Command('aiai')
  .description('Improve the agent in this git workspace: propose, grade in isolation, deploy only what you approve.')
  .version(version, '-V, --version', 'print the version of aiai')
  .option('-C, --workspace <dir>', 'the workspace (a git repository root with .aiai/config.json)', process.cwd())
  .showHelpAfterError(!json)
  .configureOutput({ outputError: (message, write) => (json ? undefined : write(message)) })
  .exitOverride();

const workspaceOf = (): string => path.resolve((program.opts() as Global).workspace);

program
  .command('init')
  .description('write a commented .aiai/config.json and .aiai/.gitignore')
  .option('--json', 'print the result as JSON')
  .action(async (opts: Json) => {
    const [{ initWorkspace }, { checkSuites, suiteCheckLine, trialSandbox }] = await Promise.all([import('../core/config/init'), import('../core/loop/initCheck')]);
    const say = (line: string): void => void (opts.json ? undefined : print(line));
    const result = await initWorkspace(workspaceOf(), trialSandbox(), say);
    say(`wrote ${result.configFile}`);
    say(result.guessedFrom ? `eval command guessed from ${result.guessedFrom}: ${result.evalCommand}` : 'no eval command found: edit "evals" in the config');
    for (const note of result.notes) say(`  ${note}`);
    const checking = suiteCheckLine(result);
    if (checking) {
      say(checking);
      const checked = await checkSuites(workspaceOf(), result);
      result.notes.push(...checked.notes);
      for (const note of checked.notes) say(`  ${note}`);
    }
    if (opts.json) return printJson(result);
    print(result.next);
  });

program
  .command('run')
  .description('evaluate the current version, then propose and grade candidates; nothing reaches your branch until you approve')
  .option('--iterations <n>', 'candidates to try (default: budget.iterations)', positiveInt)
  .option('--patience <n>', 'stop after this many candidates in a row without an improvement (default: budget.patience)', positiveInt)
  .option('--parallel <k>', 'candidates evaluated at once (default: parallel)', positiveInt)
  .option('--resume', 'continue the last run that a stop or a crash ended, with its archive and what is left of its budget')
  .option('--from-archive', 'build on the candidates of earlier runs on this version and evals, as well as the baseline')
  .option('--json', 'print the run summary as JSON at the end')
  .action(async (opts: RunOptions) => (await import('./run')).run(workspaceOf(), opts));

program
  .command('list')
  .description('list candidates, newest last')
  .option('--status <s,...>', `only candidates with one of these statuses, comma-separated (${LISTED_STATUSES.join(', ')})`, statuses)
  .option('--json', 'print an array of candidates')
  .action(async (opts: Json & { status?: string[] }) => (await import('./records')).list(workspaceOf(), opts));

program
  .command('show <id>')
  .description('show a candidate: evaluation, deltas, what approving it applies, the cases that changed with their evidence, and the diff')
  .option('--cases <n|all>', 'how many changed cases to show, newly failing first (default 10)', caseCount)
  .option('--case-filter <text>', 'only the changed cases whose id, input, expected, output or feedback contain this text')
  .option('--json', 'print the whole record')
  .action(async (id: string, opts: Json & { cases?: number; caseFilter?: string }) => (await import('./records')).show(workspaceOf(), id, opts));

program
  .command('approve <id>')
  .description('commit a pending candidate onto the checked-out branch')
  .option('--hash <contentHash>', 'refuse unless the candidate still has this content hash')
  .option('--json', 'print the result as JSON')
  .action(async (id: string, opts: { hash?: string; json?: boolean }) => (await import('./decisions')).approve(workspaceOf(), id, opts));

program
  .command('reject [ids...]')
  .description('reject pending candidates: one or several ids, or --all-pending; each is reported, and one that cannot be rejected does not stop the others')
  .option('--all-pending', 'reject every candidate awaiting review')
  .addOption(new Option('--because <quick-reason>', 'a quick reason, kept with the record and read by the model proposer').choices(QUICK_REASONS))
  .option('--reason <text>', 'why, in your words, kept with the record')
  .option('--json', 'print the result as JSON (an array when several ids or --all-pending)')
  .action(async (ids: string[], opts: { allPending?: boolean; because?: QuickReason; reason?: string; json?: boolean }) => (await import('./decisions')).reject(workspaceOf(), ids, opts));

program
  .command('try')
  .description('grade your uncommitted edits to editable files as a candidate (proposer: person); your files, index and branch stay as they are')
  .option('--parent <id>', 'the candidate your working tree builds on, e.g. after `aiai checkout ID` (default: the current version)')
  .option('--title <text>', "the candidate's title")
  .option('--json', 'print { run, candidate, leftOut } as JSON')
  .action(async (opts: { parent?: string; title?: string; json?: boolean }) => (await import('./person')).tryEdits(workspaceOf(), opts));

program
  .command('checkout <id>')
  .description("write a candidate's change into the working tree (not the index, not the branch) for you to edit; refuses over uncommitted edits to those files")
  .option('--json', 'print { candidate, written, leftOut, heldBy } as JSON')
  .action(async (id: string, opts: Json) => (await import('./person')).checkout(workspaceOf(), id, opts));

program
  .command('derive <id>')
  .description("make a new candidate of a candidate's change (or some of its files) on the current version, and grade it")
  .option('--only <paths...>', 'the files of the candidate to keep, from the workspace root (all of them when absent)')
  .option('--own-step', 'only its own step, from its parent (leaving out what its ancestors changed)')
  .option('--title <text>', "the new candidate's title")
  .option('--json', 'print { run, candidate, leftOut } as JSON')
  .action(async (id: string, opts: { only?: string[]; ownStep?: boolean; title?: string; json?: boolean }) => (await import('./person')).derive(workspaceOf(), id, opts));

program
  .command('lessons')
  .description("print the workspace's lessons (.aiai/lessons.md): what earlier runs learned, rewritten after each model run; edit the file to add your own")
  .option('--json', 'print { file, lessons } as JSON')
  .action(async (opts: Json) => (await import('./records')).lessons(workspaceOf(), opts));

program
  .command('versions')
  .description('list the baseline and every accepted version, newest first')
  .option('--json', 'print an array of versions')
  .action(async (opts: Json) => (await import('./records')).versions(workspaceOf(), opts));

program
  .command('rollback <version>')
  .description('restore the editable files of a version (vN, baseline, or a commit) as a new commit')
  .option('--json', 'print the result as JSON')
  .action(async (version: string, opts: Json) => (await import('./decisions')).rollback(workspaceOf(), version, opts));

function statuses(value: string): string[] {
  const named = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = named.filter((s) => !(LISTED_STATUSES as readonly string[]).includes(s));
  if (named.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`${unknown.length > 0 ? `unknown status ${unknown.map((s) => `"${s}"`).join(', ')}` : 'no status given'}; valid statuses: ${LISTED_STATUSES.join(', ')}`);
  }
  return named;
}

function caseCount(value: string): number {
  if (value === 'all') return Infinity;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number or "all"');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** The exit code and what to say for an error that ends a command. */
async function failure(error: unknown): Promise<{ code: number; kind: string; message: string; problems?: ConfigError['problems'] }> {
  if (error instanceof CommanderError) return { code: EXIT.usage, kind: 'usage', message: error.message.replace(/^error: /, '') };
  if (error instanceof ConfigError) return { code: EXIT.usage, kind: 'config', message: error.message, problems: error.problems };
  const disk = await import('./diskFull');
  if (disk.isDiskFull(error)) return { code: EXIT.runtime, kind: 'runtime', message: disk.diskFullMessage(workspaceOf(), error) };
  if (error instanceof AiaiError) return { code: error.kind === 'runtime' ? EXIT.runtime : EXIT.usage, kind: error.kind, message: error.message };
  return { code: EXIT.runtime, kind: 'runtime', message: errorMessage(error) };
}

async function main(): Promise<void> {
  watchOutput();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    // Help and version are successes.
    if (error instanceof CommanderError && error.exitCode === 0) return;
    const { code, ...said } = await failure(error);
    if (json) printJson({ error: said });
    else if (!(error instanceof CommanderError)) warn(said.message);
    process.exitCode = code;
  }
}

void main();
