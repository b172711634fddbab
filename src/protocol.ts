/**
 * Messages between the extension and the review panel: one union each way. The
 * extension owns all state and sends complete snapshots; the webview sends intents.
 */
import type { Review } from './core/review/review';

export interface PendingItem {
  id: string;
  title: string;
}

/** A candidate of the same run, for the run's picture. */
export interface RunPoint {
  id: string;
  parent: string | null;
  status: string;
  title: string;
  /** The objective value, when the candidate was evaluated. */
  value?: number;
}

export interface ReviewSnapshot {
  review: Review;
  /** The run the candidate belongs to: its candidates in order, and the baseline's objective value. */
  run: { points: RunPoint[]; baseline?: number; metric: string };
  /** Candidates awaiting review, for navigation, in order. */
  pending: PendingItem[];
  /** Whether approve and reject apply (the candidate is pending and the workspace trusted). */
  canDecide: boolean;
  /** Whether evaluations may run here; when not, why. */
  untrusted?: string;
}

export type ToWebview =
  | { type: 'review'; snapshot: ReviewSnapshot }
  | { type: 'empty'; message: string }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'approve'; id: string; contentHash: string }
  | { type: 'reject'; id: string; reason: string }
  | { type: 'openDiff'; id: string }
  | { type: 'navigate'; id: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isString = (v: unknown): v is string => typeof v === 'string';

/** Checks a message from the webview on arrival; anything else is dropped. */
export function parseFromWebview(value: unknown): FromWebview | undefined {
  if (!isRecord(value) || !isString(value.type)) return undefined;
  switch (value.type) {
    case 'ready':
      return { type: 'ready' };
    case 'approve':
      return isString(value.id) && isString(value.contentHash) ? { type: 'approve', id: value.id, contentHash: value.contentHash } : undefined;
    case 'reject':
      return isString(value.id) && isString(value.reason) ? { type: 'reject', id: value.id, reason: value.reason } : undefined;
    case 'openDiff':
    case 'navigate':
      return isString(value.id) ? { type: value.type, id: value.id } : undefined;
    default:
      return undefined;
  }
}

/** Checks a message from the extension on arrival in the webview. */
export function parseToWebview(value: unknown): ToWebview | undefined {
  if (!isRecord(value) || !isString(value.type)) return undefined;
  switch (value.type) {
    case 'review':
      return isRecord(value.snapshot) && isRecord(value.snapshot.review) && Array.isArray(value.snapshot.pending) && isRecord(value.snapshot.run) ? (value as ToWebview) : undefined;
    case 'empty':
      return isString(value.message) ? { type: 'empty', message: value.message } : undefined;
    case 'notice':
      return (value.level === 'info' || value.level === 'error') && isString(value.message) ? { type: 'notice', level: value.level, message: value.message } : undefined;
    default:
      return undefined;
  }
}
