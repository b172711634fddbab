import type * as vscode from 'vscode';

/**
 * The base of everything the extension creates and must clean up: what a subclass
 * registers is disposed with it, newest first, once, however often dispose is called.
 */
export abstract class Disposable implements vscode.Disposable {
  private readonly registered: vscode.Disposable[] = [];
  private disposed = false;

  /** Ties `d` to this object's life; one registered after disposal is disposed at once. */
  protected register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.registered.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.registered.splice(0).reverse()) d.dispose();
  }
}
