import type { EvalSpec } from '../config/config';
import type { PathPolicy } from '../config/pathPolicy';
import { matcher } from '../config/twoPhase';
import type { Git } from '../git/git';
import type { EvalOutcome } from './evaluation';
import { SecretsIndex, type SecretFile } from './leakCheck';
import { EVIDENCE_FIELDS } from './metrics';

/** Files read from git at once while a version's secrets are indexed. */
const READ_AT_ONCE = 16;
/**
 * The bytes of secret files indexed, and of visible ones read, per version: the
 * index takes about ten bytes a character. Smaller files go first, so graders and
 * data files fit before a large binary.
 */
const INDEXED_BYTES = 16 * 1024 * 1024;

/**
 * The leak check on what a train-side eval hands a proposer. A version's secrets
 * are its protected files and the data and answers only holdout evals see (those
 * of a train-side eval are meant to reach a proposer as a case's input and
 * expected output); what also stands in a file a proposer can read is no secret.
 * What the base version's own evaluation shows a proposer is trusted: the grader's
 * messages and the train cases are what every candidate shows too.
 */
export class LeakGuard {
  private readonly indexes = new Map<string, Promise<SecretsIndex>>();
  private readonly trainFiles: (file: string) => boolean;

  constructor(
    private readonly git: Git,
    private readonly policy: PathPolicy,
    evals: EvalSpec[],
  ) {
    this.trainFiles = matcher(evals.filter((e) => !e.holdout).flatMap((e) => [...e.data, ...e.answers]));
  }

  /** Trusts what an eval of the base version shows a proposer, and its log. */
  async trust(base: string, outcome: EvalOutcome): Promise<void> {
    (await this.index(base)).trust([...shown(outcome, false), outcome.logTail].join('\0'));
  }

  /** The secret files whose content the outcome would show a proposer: their names, never their content. */
  async leaks(base: string, outcome: EvalOutcome, spec: EvalSpec): Promise<string[]> {
    // A two-phase eval's grader is trusted: of its cases, only the output comes from the candidate.
    return (await this.index(base)).leaks(shown(outcome, spec.grade !== undefined).join('\0'));
  }

  private index(base: string): Promise<SecretsIndex> {
    let index = this.indexes.get(base);
    if (!index) {
      index = this.build(base);
      this.indexes.set(base, index);
    }
    return index;
  }

  private async build(base: string): Promise<SecretsIndex> {
    const files = await this.blobs(base);
    const isSecret = (f: string): boolean => !f.startsWith('.aiai/') && (this.policy.isProtected(f) || this.policy.isEvalOnly(f)) && !this.trainFiles(f);
    const isVisible = (f: string): boolean => !this.policy.isProtected(f) && !this.policy.isEvalOnly(f) && (this.policy.isEditable(f) || this.policy.isContext(f));
    const index = new SecretsIndex(await this.read(base, withinBudget(files.filter((f) => isSecret(f.path)))));
    for (const file of await this.read(base, withinBudget(files.filter((f) => isVisible(f.path))))) index.trust(file.text);
    return index;
  }

  /** The files of a version with their sizes, symbolic links left out. */
  private async blobs(commit: string): Promise<Array<{ path: string; size: number }>> {
    const out = await this.git.raw(['ls-tree', '-r', '-l', '-z', '--full-tree', commit]);
    return out
      .split('\0')
      .filter(Boolean)
      .flatMap((line) => {
        const tab = line.indexOf('\t');
        const [mode, type, , size] = line.slice(0, tab).trim().split(/\s+/);
        return type === 'blob' && mode !== '120000' ? [{ path: line.slice(tab + 1), size: Number(size) }] : [];
      });
  }

  private async read(commit: string, files: string[]): Promise<SecretFile[]> {
    const out: SecretFile[] = [];
    for (let i = 0; i < files.length; i += READ_AT_ONCE) {
      const batch = files.slice(i, i + READ_AT_ONCE);
      const texts = await Promise.all(batch.map((f) => this.git.readFile(commit, f)));
      batch.forEach((name, j) => out.push({ name, text: texts[j] ?? '' }));
    }
    return out;
  }
}

/** The paths of the smallest files whose sizes add up to at most INDEXED_BYTES. */
function withinBudget(files: Array<{ path: string; size: number }>): string[] {
  let left = INDEXED_BYTES;
  const kept: string[] = [];
  for (const file of [...files].sort((a, b) => a.size - b.size)) {
    if (file.size > left) break;
    left -= file.size;
    kept.push(file.path);
  }
  return kept;
}

/**
 * What of an eval's outcome may reach a proposer: each case's id, group, evidence and
 * trace, the eval's feedback, and the end of its log when it did not pass (a passing
 * eval's log is never shown, and its end moves with every candidate's output); of a
 * two-phase eval's cases, only the outputs and traces (the agent's own steps).
 */
function shown(outcome: EvalOutcome, outputsOnly: boolean): string[] {
  const cases = outcome.cases.flatMap((c) => (outputsOnly ? [c.output, c.trace] : [c.id, c.group, ...EVIDENCE_FIELDS.map((field) => c[field]), c.trace]));
  return [...cases, ...(outputsOnly ? [] : [outcome.feedback]), ...(outcome.status === 'passed' ? [] : [outcome.logTail])].filter((t): t is string => t !== undefined);
}
