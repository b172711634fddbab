// The validator scripts/compile-schema.mjs generates from PROPOSE_CHANGE_INPUT (src/core/propose/proposeChangeInput.ts).
import type { ErrorObject } from 'ajv';
import type { Proposal } from '../src/core/propose/proposer';

declare function validate(data: unknown): data is Proposal;
declare namespace validate {
  let errors: ErrorObject[] | null | undefined;
}
export = validate;
