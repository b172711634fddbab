/** This repository's root folder. */
export const AIAI_ROOT: string;

/**
 * Copies examples/<name> into `dir` (created if missing) and makes it a git repository
 * with one commit on `main`; an example with a package.json gets `node_modules` linked
 * to this repository's, which holds its dependencies. Returns `dir`.
 */
export function prepareExample(name: string, dir: string): string;
