import { runLoop } from '../src/core/loop/loop';
import type { CandidateRecord } from '../src/core/record/records';
import { totalInput, type Usage } from '../src/shared/usage';
import { DEFAULT_LESSONS, MessagesServer, textOnly, toolCall, toolUse, type MessagesRequest, type Reply } from '../test/fixtures/messagesServer';
import { copyExample } from '../test/helpers';

export interface ProposerCost {
  /** Cache reads over all input tokens of proposals 2..N. */
  share: number;
  perRound: number[];
  /** Mean tokens and cost of one proposal, and model calls per proposal. */
  meanInputTokens: number;
  meanOutputTokens: number;
  meanCostUsd: number;
  callsPerProposal: number;
}

const ANCHOR = '// How many leading words of a ticket the agent reads.';

/**
 * A model proposer's cost on the example workspace against the loopback Messages
 * API server (which keeps a prompt cache as the API does), in single or agent mode.
 * Each proposal adds a comment line; in agent mode the agent first reads a file,
 * pages through the failures, edits, runs the evals and then submits.
 */
export async function proposerCost(mode: 'single' | 'agent', rounds: number): Promise<ProposerCost> {
  const server = await MessagesServer.start();
  let n = 0;
  let turn = 0;
  const edit = (): { path: string; search: string; replace: string } => ({ path: 'agent/triage.mjs', search: ANCHOR, replace: `${ANCHOR}\n// note ${n}` });
  server.fallback = (body: MessagesRequest): Reply => {
    if (!body.tools?.length) return textOnly(DEFAULT_LESSONS)(body); // the lessons rewrite: not a proposal
    if (mode === 'single') {
      n++;
      return toolUse({ title: `note ${n}`, rationale: 'a comment, to exercise the prompt', edits: [edit()] })(body);
    }
    turn = body.messages.length === 1 ? 1 : turn + 1;
    if (turn === 1) n++;
    const steps = [
      toolCall('read_file', { path: 'agent/triage.mjs' }),
      toolCall('show_failures', {}),
      toolCall('edit_file', edit()),
      toolCall('run_evals', {}),
      toolCall('submit_change', { title: `note ${n}`, rationale: 'a comment, to exercise the prompt' }),
    ];
    return (steps[turn - 1] ?? steps[4]!)(body);
  };
  const workspace = copyExample({ kind: 'anthropic', mode });
  try {
    const summary = await runLoop(workspace, {
      iterations: rounds,
      signal: new AbortController().signal,
      env: { ...process.env, ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: server.url },
    });
    const usages = summary.candidates.map((c: CandidateRecord) => c.usage).filter((u): u is Usage => u !== undefined);
    const later = usages.slice(1);
    const sum = (pick: (u: Usage) => number, of: Usage[]): number => of.reduce((s, u) => s + pick(u), 0);
    const proposals = server.proposalRequests().length;
    return {
      share: sum((u) => u.cacheReadTokens, later) / sum(totalInput, later),
      perRound: later.map((u) => u.cacheReadTokens / totalInput(u)),
      meanInputTokens: sum(totalInput, usages) / usages.length,
      meanOutputTokens: sum((u) => u.outputTokens, usages) / usages.length,
      meanCostUsd: sum((u) => u.costUsd, usages) / usages.length,
      callsPerProposal: proposals / usages.length,
    };
  } finally {
    await server.close();
  }
}
