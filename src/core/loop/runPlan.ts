import type { Config } from '../config/config';
import type { Verdict } from '../grade/verdict';
import type { CandidateRecord, RunRecord } from '../record/records';
import type { Store } from '../record/store';
import type { Parent, PersonCandidate } from './context';
import { archiveOf, runToResume } from './resume';

/**
 * What follows from who proposes, decided once for the whole run: the loop's own
 * search, or one candidate a person made. The pipeline and the run read these
 * consequences; none of them asks who proposed.
 */
export interface ProposerPolicy {
  /** Recorded with the run: a person's run of one candidate is never resumed. */
  readonly oneCandidate: boolean;
  /** Who the audit log says proposed, when not the loop. */
  readonly by?: string;
  /** The parent of every candidate; the population chooses when absent. */
  readonly parent?: Parent;
  /** The candidate that the person kept part of. */
  readonly derivedFrom?: string;
  /** Whether a change evaluated before in the run is refused as a duplicate. */
  readonly refusesDuplicates: boolean;
  /** What the grader's verdict becomes, and whether the candidate is kept though it did not improve. */
  settle(status: Verdict['status']): { status: Verdict['status']; notImproved?: true };
}

/** The loop's search: it builds on the population, refuses duplicates, and the grader's verdict stands. */
const SEARCH: ProposerPolicy = {
  oneCandidate: false,
  refusesDuplicates: true,
  settle: (status) => ({ status }),
};

/**
 * A person's candidate: graded as any is, but only the person decides on it, so a
 * grader's rejection leaves it pending; and a person may try again a change the loop
 * rejected, to deploy it all the same.
 */
function personPolicy(person: PersonCandidate): ProposerPolicy {
  return {
    oneCandidate: true,
    by: person.by,
    ...(person.parent ? { parent: person.parent } : {}),
    ...(person.derivedFrom ? { derivedFrom: person.derivedFrom } : {}),
    refusesDuplicates: false,
    settle: (status) => (status === 'rejected' ? { status: 'pending', notImproved: true } : { status }),
  };
}

/** A run's options, resolved once before it starts. */
export interface RunPlan {
  proposing: ProposerPolicy;
  iterations: number;
  parallel: number;
  /** Candidates in a row that may fail to improve before the run stops: `--patience`, else the config's. */
  patience: number | undefined;
  /** The interrupted run this one continues. */
  resumed?: RunRecord;
  /** Candidates of earlier runs (or of the resumed one) to build on. */
  archive: CandidateRecord[];
  /** Whether the archive came from `--from-archive`. */
  fromArchive: boolean;
}

export interface PlanRequest {
  iterations?: number;
  patience?: number;
  parallel?: number;
  resume?: boolean;
  fromArchive?: boolean;
  person?: PersonCandidate;
}

/** Resolves a run's options against the config and the store: a person's candidate is one iteration, never resumed, with no archive. */
export function planRun(request: PlanRequest, config: Config, store: Store, head: string, evalsKey: string): RunPlan {
  const { person } = request;
  const proposing = person ? personPolicy(person) : SEARCH;
  const resumed = request.resume && !person ? runToResume(store, head, evalsKey) : undefined;
  const fromArchive = !resumed && Boolean(request.fromArchive) && !person;
  const iterations = person ? 1 : (request.iterations ?? resumed?.iterations ?? config.budget.iterations);
  return {
    proposing,
    iterations,
    parallel: Math.max(1, Math.min(request.parallel ?? config.parallel, iterations)),
    patience: request.patience ?? config.budget.patience,
    ...(resumed ? { resumed } : {}),
    archive: resumed ? archiveOf(store, head, evalsKey, new Set([resumed.id])) : fromArchive ? archiveOf(store, head, evalsKey) : [],
    fromArchive,
  };
}
