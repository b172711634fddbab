/**
 * Why a model expects its change to help, written before the change itself: the
 * Darwin Gödel Machine's order (what fails → why → what to change → what it should
 * do). It is kept with the candidate, so a person reads it beside what happened.
 */
export interface Diagnosis {
  /** What fails, and how often: the cases or the kind of case. */
  failurePattern: string;
  /** Why it fails, in the agent's code, prompt or parameters. */
  rootCause: string;
  /** The change that should remove that cause. */
  hypothesis: string;
  /** What the change should do to the objective (and to what else). */
  expectedEffect: string;
}

export const DIAGNOSIS_FIELDS = ['failurePattern', 'rootCause', 'hypothesis', 'expectedEffect'] as const satisfies readonly (keyof Diagnosis)[];

/** How each field reads to a person. */
export const DIAGNOSIS_LABELS: Record<keyof Diagnosis, string> = {
  failurePattern: 'failure pattern',
  rootCause: 'root cause',
  hypothesis: 'hypothesis',
  expectedEffect: 'expected effect',
};

/** A diagnosis as it crossed a wire (a tool call, a record, a message): every field a non-empty string. */
export function asDiagnosis(value: unknown): Diagnosis | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!DIAGNOSIS_FIELDS.every((f) => typeof v[f] === 'string' && (v[f] as string).trim() !== '')) return undefined;
  return Object.fromEntries(DIAGNOSIS_FIELDS.map((f) => [f, (v[f] as string).trim()])) as unknown as Diagnosis;
}
