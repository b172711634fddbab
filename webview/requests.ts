import type { Intent, Reply, Request } from '../src/protocol';

/**
 * A person's actions, one at a time: each goes out as a request numbered by `seq`, and
 * until the reply that names it comes the panel is busy (`data-busy` on its root): its
 * action buttons are off, the one clicked marked `aria-busy`. A click meanwhile sends
 * nothing, so a double click approves once; the extension refuses a second request
 * anyway, for a page reloaded while one was carried out.
 */
export class Requests {
  private last = 0;
  private awaited: { seq: number; button: string } | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly post: (request: Request) => void,
  ) {}

  /** Sends `intent`, clicked on `button`, unless a request awaits its reply; whether it was sent. */
  send(intent: Intent, button: HTMLElement): boolean {
    if (this.awaited) return false;
    const seq = ++this.last;
    this.awaited = { seq, button: button.id };
    this.post({ ...intent, seq });
    this.showBusy();
    return true;
  }

  /** Marks the panel busy while a request awaits its reply: called after each redraw too, which draws new buttons. */
  showBusy(): void {
    if (!this.awaited) return;
    this.root.setAttribute('data-busy', '');
    for (const action of this.root.querySelectorAll('[data-action]')) {
      action.setAttribute('disabled', '');
      if (action.id === this.awaited.button) action.setAttribute('aria-busy', 'true');
    }
  }

  /** Takes the reply to the request awaited, and turns each action button back as its view wants it; whether it was that reply (not one to a page reloaded since). */
  answered(reply: Reply): boolean {
    if (reply.seq !== this.awaited?.seq) return false;
    this.awaited = undefined;
    this.root.removeAttribute('data-busy');
    for (const action of this.root.querySelectorAll('[data-action]')) {
      action.toggleAttribute('disabled', action.hasAttribute('data-off'));
      action.removeAttribute('aria-busy');
    }
    return true;
  }
}
