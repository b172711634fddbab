import type Anthropic from '@anthropic-ai/sdk';
import type { PromptParts } from './proposalPrompt';

/**
 * The first user turn of a proposal, with two cache breakpoints: after the files
 * (the same all run long), and after the history, which each round only appends to.
 */
export function firstTurn(prompt: PromptParts): Anthropic.MessageParam {
  return {
    role: 'user',
    content: [
      { type: 'text', text: prompt.stable, cache_control: { type: 'ephemeral' } },
      ...prompt.history.map((text, i): Anthropic.TextBlockParam => ({
        type: 'text',
        text,
        ...(i === prompt.history.length - 1 ? { cache_control: { type: 'ephemeral' } } : {}),
      })),
      { type: 'text', text: prompt.variable },
    ],
  };
}

export function systemBlocks(prompt: PromptParts): Anthropic.TextBlockParam[] {
  return [{ type: 'text', text: prompt.system }];
}
