import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CandidateRecord, RunRecord } from '../src/core/record/records';
import { Store } from '../src/core/record/store';
import { CLI, copyExample, SEEDED } from '../test/helpers';

/**
 * A store of `total` real candidates: a run of the parameter search on the example
 * workspace, approved once, whose records are then copied into runs of 100
 * candidates each, with ids and times of their own (about 12 KB a record, as in use).
 */
export function bigStore(total: number): { workspace: string; someId: string } {
  const workspace = copyExample(SEEDED);
  execFileSync(process.execPath, [CLI, 'run', '--iterations', '6'], { cwd: workspace, stdio: 'ignore' });
  const store = new Store(workspace);
  const real = store.candidates();
  const pending = real.find((c) => c.status === 'pending');
  if (pending) execFileSync(process.execPath, [CLI, 'approve', pending.id], { cwd: workspace, stdio: 'ignore' });
  const [run] = store.runs();
  if (!run || real.length === 0) throw new Error('the seed run made no candidates');
  const records = store.candidates();
  const runs = Math.ceil(total / 100);
  let someId = '';
  for (let r = 0; r < runs; r++) {
    const runId = `20260101-${String(r).padStart(6, '0')}-bench`;
    const runRecord: RunRecord = { ...run, id: runId, state: 'finished', startedAt: new Date(Date.UTC(2026, 0, 1, 0, r)).toISOString() };
    mkdirSync(path.join(store.runDir(runId), 'candidates'), { recursive: true });
    writeFileSync(path.join(store.runDir(runId), 'run.json'), JSON.stringify(runRecord, null, 2));
    for (let i = 0; i < 100 && r * 100 + i < total; i++) {
      const source = records[i % records.length] as CandidateRecord;
      const id = (r * 100 + i).toString(16).padStart(8, 'b');
      const copy: CandidateRecord = { ...source, id, runId, status: source.status === 'approved' ? 'rejected' : source.status, createdAt: new Date(Date.UTC(2026, 0, 1, 0, r, 0, i)).toISOString() };
      writeFileSync(path.join(store.runDir(runId), 'candidates', `${id}.json`), JSON.stringify(copy, null, 2));
      someId = id;
    }
  }
  const files = readdirSync(store.runsDir).length;
  if (files < runs) throw new Error('the store was not written');
  return { workspace, someId };
}
