import type { ChangeFile, Coauthoring, HunkPreview, SelectedFile } from '../src/protocol';
import { button, setOff } from './components';
import { h } from './dom';

/** What the person ticked, and whether the section is open: UI state, kept per candidate across snapshots. */
export interface SelectionState {
  /** Keys of the ticked hunks (`pick(path, n)`); a file git shows without hunks has the one key `pick(path, 0)`. */
  picked: string[];
  open?: boolean;
}

/**
 * Keep part of it: the candidate's files and hunks, each with a checkbox (a file's
 * box ticks all its hunks), each hunk with its @@ line and first lines, and Evaluate
 * Selection, which grades what is ticked as a new candidate. Open at first when there
 * is more than one part to choose from.
 */
export function selectionSection(c: Coauthoring, state: SelectionState | undefined, onChange: (state: SelectionState) => void, evaluate: (files: SelectedFile[], button: HTMLElement) => void): HTMLElement | null {
  const files = c.files;
  const parts = files.reduce((n, f) => n + Math.max(1, f.hunks.length), 0);
  if (parts === 0) return null;
  const picked = new Set(state?.picked ?? []);
  const save = (open: boolean): void => onChange({ picked: [...picked], open });

  const evaluateButton = button('Evaluate Selection', {
    id: 'evaluate-selection',
    disabled: true,
    title: c.cannotEvaluate ?? 'Grade the ticked files and hunks as a new candidate on the current version',
    action: true,
    onClick: (clicked) => evaluate(selection(files, picked), clicked),
  });
  const boxes: Array<{ input: HTMLInputElement; keys: string[] }> = [];
  /** Every box as `picked` says: a file's ticked when all its hunks are, half-ticked when some are. */
  const sync = (): void => {
    for (const { input, keys } of boxes) {
      const ticked = keys.filter((k) => picked.has(k)).length;
      input.checked = ticked === keys.length;
      input.indeterminate = ticked > 0 && ticked < keys.length;
    }
    setOff(evaluateButton, picked.size === 0 || c.cannotEvaluate !== undefined);
  };
  const box = (keys: string[], attrs: Record<string, string>, locked: boolean): HTMLInputElement => {
    const input = h('input', { type: 'checkbox', ...attrs, disabled: locked });
    input.addEventListener('change', () => {
      for (const k of keys) if (input.checked) picked.add(k);
      else picked.delete(k);
      sync();
      save(section.open);
    });
    boxes.push({ input, keys });
    return input;
  };

  const list = h(
    'ul',
    { class: 'selection-files' },
    ...files.map((file) => {
      const keys = file.hunks.length > 0 ? file.hunks.map((hunk) => pick(file.path, hunk.number)) : [pick(file.path, 0)];
      const locked = file.locked !== undefined;
      return h(
        'li',
        { class: 'selection-file', 'data-file': file.path },
        h('label', {}, box(keys, { class: 'pick-file', 'aria-label': `all of ${file.path}` }, locked), ' ', h('code', {}, file.path)),
        locked ? h('span', { class: 'muted' }, ` (${file.locked})`) : file.hunks.length === 0 ? h('span', { class: 'muted' }, ' (whole file only)') : null,
        file.hunks.length > 0 ? h('ul', { class: 'selection-hunks' }, ...file.hunks.map((hunk) => hunkItem(file, hunk, box([pick(file.path, hunk.number)], { class: 'pick-hunk', 'data-hunk': String(hunk.number), 'aria-label': `hunk ${hunk.number} of ${file.path}` }, locked)))) : null,
      );
    }),
  );
  const hunks = files.reduce((n, f) => n + f.hunks.length, 0);
  const section = h(
    'details',
    { class: 'collapsible selection', id: 'selection', open: state?.open ?? parts > 1 },
    h('summary', {}, h('h2', {}, 'Keep part of it'), h('span', { class: 'muted' }, ` ${count(files.length, 'file')}, ${count(hunks, 'hunk')}`)),
    h('p', { class: 'muted' }, 'Tick the files and hunks to keep. Evaluate Selection grades them as a new candidate on the current version, which you then review.'),
    list,
    h('div', { class: 'selection-actions' }, evaluateButton, c.cannotEvaluate ? h('span', { class: 'muted', id: 'cannot-evaluate' }, c.cannotEvaluate) : null),
  );
  section.addEventListener('toggle', () => save(section.open));
  sync();
  return section;
}

/** One hunk: its box, its @@ line, and its first lines as the diff shows them. */
function hunkItem(file: ChangeFile, hunk: HunkPreview, input: HTMLInputElement): HTMLElement {
  return h(
    'li',
    { class: 'selection-hunk', 'data-hunk': String(hunk.number) },
    h('label', {}, input, ' ', h('code', { class: 'hunk-header' }, hunk.header)),
    h('pre', { class: 'hunk-preview', 'aria-label': `the start of hunk ${hunk.number} of ${file.path}` }, ...hunk.lines.map((line) => h('span', { class: lineClass(line) }, `${line}\n`))),
    hunk.more > 0 ? h('span', { class: 'muted hunk-more' }, `… ${count(hunk.more, 'more line')}`) : null,
  );
}

/** The ticked parts as the engine takes them: a file whole when all of it is ticked, else its ticked hunks. */
function selection(files: ChangeFile[], picked: ReadonlySet<string>): SelectedFile[] {
  return files.flatMap((file): SelectedFile[] => {
    if (file.hunks.length === 0) return picked.has(pick(file.path, 0)) ? [{ path: file.path }] : [];
    const hunks = file.hunks.map((hunk) => hunk.number).filter((n) => picked.has(pick(file.path, n)));
    if (hunks.length === 0) return [];
    return hunks.length === file.hunks.length ? [{ path: file.path }] : [{ path: file.path, hunks }];
  });
}

function pick(path: string, hunk: number): string {
  return JSON.stringify([path, hunk]);
}

function lineClass(line: string): string {
  return line.startsWith('+') ? 'line-added' : line.startsWith('-') ? 'line-deleted' : 'line-context';
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
