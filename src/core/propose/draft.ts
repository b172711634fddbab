import { applyEdits, type Edit } from './edits';

/**
 * An agent's working copy of the parent: the parent's files with the agent's edits
 * applied, in memory. Its edits, in order, are what the proposal will be: replayed
 * on the parent, they give the same files.
 */
export class Draft {
  readonly edits: Edit[] = [];
  private readonly changed = new Map<string, string>();

  constructor(
    private readonly readParent: (file: string) => Promise<string | undefined>,
    private readonly parentPaths: () => Promise<string[]>,
  ) {}

  async read(file: string): Promise<string | undefined> {
    return this.changed.has(file) ? this.changed.get(file) : this.readParent(file);
  }

  async paths(): Promise<string[]> {
    return [...new Set([...(await this.parentPaths()), ...this.changed.keys()])].sort();
  }

  /** Applies one edit; returns why it does not apply, if it does not. */
  async apply(edit: Edit): Promise<string | undefined> {
    const applied = await applyEdits([edit], (file) => this.read(file));
    if (!applied.ok) return `${applied.reason.replace(/^edit 1 /, 'the edit ')}${applied.hint ? `\n${applied.hint}` : ''}`;
    for (const change of applied.changes) if ('content' in change && change.content !== null) this.changed.set(change.path, change.content);
    this.edits.push(edit);
    return undefined;
  }
}
