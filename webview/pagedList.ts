import { CASES_PAGE, type PageQuery } from '../src/protocol';
import { button, textField } from './components';
import { h } from './dom';

/** What a list keeps across snapshots: the text it filters by and the page it shows. */
export interface ListState {
  text: string;
  offset: number;
}

interface Page {
  offset: number;
  total: number;
}

export interface PagedListSpec<P extends Page> {
  /** The list's id: its filter, range and buttons are `${id}-filter`, `${id}-range`, …. */
  id: string;
  /** What the list is of (a candidate, a pair compared): an answer about something else is dropped. */
  subject: string;
  state: ListState | undefined;
  save(state: ListState): void;
  /** Asks the extension for a page; its answer comes to `receive`. */
  ask(query: PageQuery): void;
  /** A page already drawn for this subject and the state's query (a snapshot drawn again): shown at once. */
  initial?: P;
  /** Told of each page drawn, to keep it for the next snapshot. */
  drawn(query: PageQuery, page: P): void;
  heading(page: P): HTMLElement;
  cards(page: P): HTMLElement[];
  placeholder: string;
}

/**
 * A long list of cases, searched and paged by the extension: the list asks for a page
 * (a text to look for, an offset), draws the answer, and drops an answer to a question
 * it no longer asks. One question is in flight at a time; what the person typed
 * meanwhile is asked once the answer comes, so fast typing never queues requests.
 */
export class PagedList<P extends Page> {
  readonly element: HTMLElement;
  private readonly head = h('div', { class: 'case-list-head' });
  private readonly body: HTMLElement;
  private wanted: PageQuery;
  private asked: PageQuery | undefined;
  /** Whether the next page drawn is a new page of the same filter, to be scrolled to. */
  private turned = false;

  constructor(private readonly spec: PagedListSpec<P>) {
    this.wanted = { text: spec.state?.text ?? '', offset: spec.state?.offset ?? 0, limit: CASES_PAGE };
    this.body = h('div', { class: 'case-list', id: `${spec.id}-list` }, h('p', { class: 'muted' }, 'Reading the cases…'));
    const filter = textField({ id: `${spec.id}-filter`, placeholder: spec.placeholder, value: this.wanted.text, onInput: (text) => this.go({ ...this.wanted, text, offset: 0 }) });
    this.element = h('div', { class: 'paged-list' }, this.head, filter, this.body);
    if (spec.initial) this.draw(spec.initial);
    this.request();
  }

  /** An answer from the extension: drawn when it answers the question asked, else dropped. */
  receive(subject: string, query: PageQuery, answer: { page?: P; error?: string }): void {
    if (subject !== this.spec.subject || !this.asked || !sameQuery(query, this.asked)) return;
    this.asked = undefined;
    if (!sameQuery(query, this.wanted)) return this.request();
    if (answer.page) {
      this.draw(answer.page);
      this.spec.drawn(query, answer.page);
    } else {
      this.body.removeAttribute('aria-busy');
      this.body.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert' }, `The cases cannot be read: ${answer.error ?? 'no answer'}`));
    }
  }

  private go(query: PageQuery): void {
    this.turned = query.text === this.wanted.text && query.offset !== this.wanted.offset;
    this.wanted = query;
    this.spec.save({ text: query.text, offset: query.offset });
    if (!this.asked) this.request();
  }

  private request(): void {
    this.asked = this.wanted;
    this.body.setAttribute('aria-busy', 'true');
    this.spec.ask(this.wanted);
  }

  private draw(page: P): void {
    const { id } = this.spec;
    const cards = this.spec.cards(page);
    const first = cards.length === 0 ? 0 : page.offset + 1;
    const last = page.offset + cards.length;
    const text = this.wanted.text.trim();
    this.head.replaceChildren(this.spec.heading(page));
    this.body.removeAttribute('aria-busy');
    this.body.replaceChildren(
      ...(cards.length > 0 ? cards : [h('p', { class: 'muted', id: `${id}-none` }, page.total > 0 ? 'No case on this page.' : text ? `No case matches “${text}”.` : 'No case.')]),
      h(
        'div',
        { class: 'pager' },
        button('‹ Previous', { id: `${id}-previous`, appearance: 'secondary', disabled: page.offset === 0, onClick: () => this.go({ ...this.wanted, offset: Math.max(0, page.offset - CASES_PAGE) }) }),
        h('span', { class: 'muted', id: `${id}-range` }, `${first}–${last} of ${page.total}${text ? ` matching “${text}”` : ''}`),
        button('Next ›', { id: `${id}-next`, appearance: 'secondary', disabled: last >= page.total, onClick: () => this.go({ ...this.wanted, offset: page.offset + CASES_PAGE }) }),
      ),
    );
    if (this.turned) this.element.scrollIntoView({ block: 'start' });
    this.turned = false;
  }
}

function sameQuery(a: PageQuery, b: PageQuery): boolean {
  return a.text === b.text && a.offset === b.offset && a.limit === b.limit;
}
