import { DIAGNOSIS_FIELDS } from '../../shared/diagnosis';

/**
 * The diagnosis a tool asks for before it takes a change (`propose_change`,
 * `submit_change`): a place to reason, in the Darwin Gödel Machine's order, which
 * a forced tool call otherwise never gives the model.
 */
export const DIAGNOSIS_INPUT = {
  type: 'object',
  additionalProperties: false,
  required: [...DIAGNOSIS_FIELDS],
  description: 'Your diagnosis, written before the change, in this order. A person reads it beside what the change actually did.',
  properties: {
    failurePattern: { type: 'string', minLength: 1, description: 'What fails and how often: the cases, or the kind of case, with counts.' },
    rootCause: { type: 'string', minLength: 1, description: "Why they fail, in the agent's code, prompt or parameters." },
    hypothesis: { type: 'string', minLength: 1, description: 'The change that should remove that cause.' },
    expectedEffect: { type: 'string', minLength: 1, description: 'What the change should do to the objective (about how much), and what it might break.' },
  },
} as const;
