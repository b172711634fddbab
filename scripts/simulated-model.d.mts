import type { IncomingHttpHeaders } from 'node:http';

/** One request the simulated model received: its method, path (with any query), headers and parsed JSON body (null when none). */
export interface SimulatedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface SimulatedModel {
  /** Base URL without a trailing slash: ANTHROPIC_BASE_URL as is, OPENAI_BASE_URL with /v1 after it. */
  url: string;
  port: number;
  /** Every request so far, oldest first. */
  requests: SimulatedRequest[];
  /** The most requests it held at once so far (x-simulate-delay-ms holds one). */
  readonly mostInFlight: number;
  close(): Promise<void>;
}

/** Starts the SIMULATED model on loopback (port 0: any free port). */
export function startSimulatedModel(options?: { port?: number; host?: string }): Promise<SimulatedModel>;

/** The routes the simulated model knows: billing, technical, account, refund, other. */
export const ROUTES: readonly string[];

/** What a system prompt teaches the simulated model. */
export function readPrompt(system: string): { routes: string[]; keywords: Record<string, Map<string, number>>; terse: boolean };

/** The simulated model's whole answer (before max_tokens and stop sequences) to a conversation; temperature from 0 to 1. */
export function simulate(request: { model: string; system: string; messages: Array<{ role: string; text: string }>; temperature?: number }): string;

/** The simulated model's token count of a text: ceil(characters / 4). */
export function tokens(text: string): number;

/** The stem the simulated model matches words by. */
export function stem(word: string): string;
