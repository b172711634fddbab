import type { Config } from '../config/config';

/** How far one agent conversation may go (README, proposer): its turns, and its run_evals runs. */
export interface AgentBudget {
  maxTurns: number;
  maxEvalRuns: number;
}

export function agentBudget(config: Config): AgentBudget {
  return { maxTurns: config.proposer.maxTurns ?? 20, maxEvalRuns: config.proposer.maxEvalRuns ?? 3 };
}

/** The budget as the first message states it, so the model can plan its turns. */
export function budgetStatement(b: AgentBudget): string {
  return (
    `You have ${b.maxTurns} turns (each reply is one; proposer.maxTurns) and ${b.maxEvalRuns} run_evals runs (proposer.maxEvalRuns); ` +
    'every tool result ends with what is left. On the last turn a draft with edits can only be submitted.'
  );
}

/** What ends every tool result. */
export function budgetLeft(b: AgentBudget, turnsLeft: number, evalRunsLeft: number): string {
  return `[${turnsLeft} of ${b.maxTurns} turns left; ${evalRunsLeft} of ${b.maxEvalRuns} run_evals left]`;
}
