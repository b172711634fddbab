import type Anthropic from '@anthropic-ai/sdk';
import { DIAGNOSIS_INPUT } from './diagnosisInput';

/**
 * What the `propose_change` tool takes (single mode). scripts/compile-schema.mjs compiles
 * it into schema/propose-change.generated.cjs, so no run compiles it (and Ajv's
 * compiler is no part of the bundles).
 */
export const PROPOSE_CHANGE_INPUT: Anthropic.Tool['input_schema'] = {
  type: 'object',
  additionalProperties: false,
  required: ['diagnosis', 'title', 'rationale', 'edits'],
  properties: {
    diagnosis: DIAGNOSIS_INPUT,
    title: { type: 'string', minLength: 1, description: 'A short imperative summary, like a commit subject.' },
    rationale: { type: 'string', minLength: 1, description: 'What you expect to improve, and why.' },
    edits: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'search', 'replace'],
        properties: {
          path: { type: 'string', description: 'Workspace-relative path of an editable file.' },
          search: { type: 'string', description: 'Text copied exactly from the file, occurring once; empty to create a new file.' },
          replace: { type: 'string', description: 'The text that replaces it.' },
        },
      },
    },
  },
};
