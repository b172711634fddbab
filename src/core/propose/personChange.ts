import { textOfBytes } from '../git/bytes';
import type { Edit } from './edits';
import type { LeftOut, Proposal, ProposalOutcome, Proposer } from './proposer';

/** The proposer a person's candidates record: `aiai try`, `aiai derive`. */
export const PERSON = 'person';

/** A person's change as a proposer: it proposes the one change it was given, once, as the loop asks any proposer. */
export class PersonProposer implements Proposer {
  readonly name = PERSON;
  private proposed = false;

  constructor(private readonly proposal: Proposal) {}

  async propose(): Promise<ProposalOutcome> {
    if (this.proposed) return { kind: 'exhausted', reason: "the person's change was proposed" };
    this.proposed = true;
    return { kind: 'proposal', proposal: this.proposal };
  }
}

/**
 * The edits that turn the parent's files into `files` (path → the text the person
 * wants there), one whole-file replacement each, in path order, and the files no
 * edit can carry. Files already as wanted need none.
 */
export async function editsTo(files: ReadonlyMap<string, string>, readParent: (file: string) => Promise<string | undefined>): Promise<{ edits: Edit[]; leftOut: LeftOut[] }> {
  const edits: Edit[] = [];
  const leftOut: LeftOut[] = [];
  for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const before = await readParent(file);
    if (before === text) continue;
    // A search/replace edit needs text to find: an empty file offers none (and an empty search means a new file).
    if (before === '') leftOut.push({ path: file, reason: 'it is empty in the parent, and an edit cannot fill an empty file' });
    else edits.push({ path: file, search: before ?? '', replace: text });
  }
  return { edits, leftOut };
}

/**
 * The text of a file's bytes, every byte kept (a Latin-1 file's too: `git/bytes.ts`);
 * undefined for what is not text (a NUL byte), which edits do not carry.
 */
export function textOf(bytes: Buffer): string | undefined {
  return bytes.includes(0) ? undefined : textOfBytes(bytes);
}
