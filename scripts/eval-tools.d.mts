export const PROMPTFOO_VERSION: string;
/** The path of the `promptfoo` bin (0.118.0, the last that runs on Node 20), installing it into .cache/eval-tools/ first when it is not there. */
export function ensurePromptfoo(): string;
