import type { EvalSpec } from './evals';
import { matcher } from './twoPhase';

/** A file's path that says it is held out. */
const HELD_OUT = /hold[-_ ]?out|held[-_ ]?out/i;
/** What a command names that is data rather than code. */
const DATA_FILE = /\.(jsonl?|csv|tsv|txt|ya?ml|parquet|xml|md)$/i;

/**
 * The files a holdout eval seems to read that every eval can see: those its command
 * names that hold data, and any whose path says it is held out, unless an eval's
 * `data` or `answers` keeps it out of the other evals' checkouts. A candidate's code
 * running in a train eval could read them, and show them to a proposer or fit them.
 */
export function exposedHoldoutFiles(evals: readonly EvalSpec[], files: readonly string[]): Array<{ eval: string; files: string[] }> {
  const keptApart = matcher(evals.flatMap((e) => [...e.data, ...e.answers]));
  const visible = files.filter((f) => !keptApart(f));
  const heldOut = visible.filter((f) => HELD_OUT.test(f));
  // A split's holdout view runs the train view's command by design (README, `split`).
  return evals
    .filter((e) => e.holdout && !e.view)
    .map((e) => {
      const named = `${e.command} ${e.grade ?? ''}`.split(/\s+/).map((t) => t.replace(/^["']|["']$/g, '').replace(/^\.\//, ''));
      const read = visible.filter((f) => named.includes(f) && DATA_FILE.test(f));
      return { eval: e.name, files: [...new Set([...read, ...heldOut])].sort() };
    })
    .filter((e) => e.files.length > 0);
}
