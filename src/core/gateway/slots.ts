/** A cap on model calls in flight at once (models.maxConcurrent); no cap when undefined. */
export class Slots {
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number | undefined) {}

  /** Waits for a free slot; the function it gives back frees it. A call whose eval went away gives its place up. */
  async take(signal: AbortSignal): Promise<() => void> {
    if (this.max !== undefined && this.inUse >= this.max) {
      await new Promise<void>((resolve) => {
        const turn = (): void => {
          signal.removeEventListener('abort', leave);
          resolve();
        };
        const leave = (): void => {
          const at = this.waiting.indexOf(turn);
          if (at >= 0) this.waiting.splice(at, 1);
          this.inUse++;
          resolve();
        };
        this.waiting.push(turn);
        signal.addEventListener('abort', leave, { once: true });
      });
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
