import { parse } from 'diff2html';
import { Diff2HtmlUI } from 'diff2html/lib/ui/js/diff2html-ui-base';
import type { DiffFile } from 'diff2html/lib/types';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import { h } from './dom';

for (const [name, language] of Object.entries({ bash, javascript, json, markdown, python, typescript, yaml })) hljs.registerLanguage(name, language);

/** Files with more changed lines than this start collapsed. */
const OPEN_BY_DEFAULT_MAX_LINES = 400;

export interface DiffViewState {
  open: string[];
}

/**
 * The diff, side by side, one collapsible section a file. A file's diff is drawn
 * only when its section is open and scrolled into view, so a diff of thousands of
 * lines costs only what is on screen.
 */
export function diffView(diff: string, state: DiffViewState | undefined, onToggle: (open: string[]) => void): HTMLElement {
  const files = parse(diff);
  const open = new Set(state?.open ?? files.filter((f) => changedLines(f) <= OPEN_BY_DEFAULT_MAX_LINES).map(fileName));
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      draw(entry.target as HTMLElement);
    }
  });
  const byBody = new Map<Element, DiffFile>();
  const draw = (body: HTMLElement): void => {
    const file = byBody.get(body);
    if (!file || body.dataset.drawn) return;
    body.dataset.drawn = 'true';
    const ui = new Diff2HtmlUI(body, [file], { outputFormat: 'side-by-side', drawFileList: false, matching: 'none', highlight: true, fileContentToggle: false, synchronisedScroll: true, colorScheme: 'light' as never }, hljs);
    ui.draw();
    ui.highlightCode();
  };

  const sections = files.map((file) => {
    const name = fileName(file);
    const body = h('div', { class: 'diff-body' });
    byBody.set(body, file);
    const section = h(
      'details',
      { class: 'diff-file', 'data-file': name, open: open.has(name) },
      h('summary', {}, h('span', { class: 'diff-file-name' }, name), h('span', { class: 'diff-added' }, ` +${file.addedLines}`), h('span', { class: 'diff-deleted' }, ` −${file.deletedLines}`)),
      body,
    );
    section.addEventListener('toggle', () => {
      if (section.open) {
        open.add(name);
        observer.observe(body);
      } else {
        open.delete(name);
      }
      onToggle([...open]);
    });
    if (section.open) observer.observe(body);
    return section;
  });

  const list = h(
    'ul',
    { class: 'diff-file-list' },
    ...files.map((file) =>
      h('li', {}, h('a', { href: '#', onclick: (e: Event) => { e.preventDefault(); reveal(fileName(file)); } }, fileName(file)), h('span', { class: 'diff-added' }, ` +${file.addedLines}`), h('span', { class: 'diff-deleted' }, ` −${file.deletedLines}`)),
    ),
  );
  const reveal = (name: string): void => {
    const section = sections.find((s) => s.dataset.file === name);
    if (!section) return;
    section.open = true;
    section.scrollIntoView({ block: 'start' });
  };
  return h('section', { class: 'diff', id: 'diff' }, h('h2', {}, `Changes (${files.length} file${files.length === 1 ? '' : 's'})`), list, ...sections);
}

function fileName(file: DiffFile): string {
  return file.newName === '/dev/null' ? file.oldName : file.newName;
}

function changedLines(file: DiffFile): number {
  return file.addedLines + file.deletedLines;
}
