// The validator scripts/compile-schema.mjs generates from aiai-config.schema.json.
import type { ErrorObject } from 'ajv';

declare function validate(data: unknown): boolean;
declare namespace validate {
  let errors: ErrorObject[] | null | undefined;
}
export = validate;
