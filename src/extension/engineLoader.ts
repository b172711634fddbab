import type * as Engine from './engine';

let loaded: typeof Engine | undefined;

/**
 * The engine's part of the extension (engine.ts): built by esbuild.mjs into
 * dist/extension-engine.js, beside dist/extension.js, and loaded at its first use (a
 * command, the review panel, the config), not as the window opens.
 */
export function engine(): typeof Engine {
  // esbuild.mjs keeps this require as it is, a file of dist/.
  return (loaded ??= require('./extension-engine.js') as typeof Engine);
}
