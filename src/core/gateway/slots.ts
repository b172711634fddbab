/** A cap on model calls in flight at once (models.maxConcurrent); no cap when undefined. */
export class Slots {
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number | undefined) {}

  /**
   * Waits for a free slot; the function it gives back frees it. A call whose eval went
   * away while it waited gives its place up, and gets undefined: it must not go.
   */
  async take(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (this.max !== undefined && this.inUse >= this.max) {
      const got = await new Promise<boolean>((resolve) => {
        // A freed slot passes straight to its waiter: inUse stays as it was.
        const turn = (): void => {
          signal.removeEventListener('abort', leave);
          resolve(true);
        };
        const leave = (): void => {
          const at = this.waiting.indexOf(turn);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve(false);
        };
        this.waiting.push(turn);
        signal.addEventListener('abort', leave, { once: true });
      });
      if (!got) return undefined;
    } else {
      this.inUse++;
    }
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.inUse--;
    };
  }
}
