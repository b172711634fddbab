import type Anthropic from '@anthropic-ai/sdk';
import type { PromptParts } from './proposalPrompt';

/**
 * The first user turn of a proposal, with three cache breakpoints: after the files
 * (the same all run long), after the version to change (the same while the parent
 * is), and after the history, which each round only appends to.
 */
export function firstTurn(prompt: PromptParts): Anthropic.MessageParam {
  const cached = { cache_control: { type: 'ephemeral' } } as const;
  return {
    role: 'user',
    content: [
      { type: 'text', text: prompt.stable, ...cached },
      { type: 'text', text: prompt.parent, ...cached },
      ...prompt.history.map((text, i): Anthropic.TextBlockParam => ({ type: 'text', text, ...(i === prompt.history.length - 1 ? cached : {}) })),
    ],
  };
}

export function systemBlocks(prompt: PromptParts): Anthropic.TextBlockParam[] {
  return [{ type: 'text', text: prompt.system }];
}
