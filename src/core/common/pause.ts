/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A signal that aborts when `promise` settles: a pause that ends with it. */
export function abortedBy(promise: Promise<unknown>): AbortSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  promise.then(abort, abort);
  return controller.signal;
}
