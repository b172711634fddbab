import { CONFIG_DIR } from './config';

/**
 * What aiai writes in `.aiai/` besides the committed config: records, logs, the run
 * lock, the audit log, the deploy journal and lock, the lessons. None of it belongs in a
 * commit of the developer's.
 */
export const WRITTEN = ['runs/', 'run.lock*', 'audit.jsonl', 'deploy-journal.json*', 'deploy.lock*', 'lessons.md*'];

/** The same, as patterns for the repository's own exclude file. */
export const EXCLUDED = WRITTEN.map((p) => `/${CONFIG_DIR}/${p}`);
