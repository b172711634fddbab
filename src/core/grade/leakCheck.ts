/*
 * Whether text meant for a proposer holds content of files it may not see (protected
 * files, holdout-only data): a run of LEAK_RUN characters of such a file, whitespace
 * collapsed on both sides, as it is or encoded in base64 or hex.
 */

/** The shortest run of a secret file that counts as its content, in characters. */
export const LEAK_RUN = 16;

/** Encoded runs shorter than these cannot hold LEAK_RUN bytes, so are not decoded. */
const BASE64_MIN = Math.floor((LEAK_RUN * 4) / 3);
const HEX_MIN = LEAK_RUN * 2;

const HASH_BASE = 0x01000193;
/** Hashes are kept to 30 bits where they are passed around: a small integer, which V8 does not box. */
const SMALL = 0x3fffffff;
/** HASH_BASE^(LEAK_RUN-1) mod 2^32: what the character leaving a rolling window weighed. */
const HASH_LEAVING = (() => {
  let power = 1;
  for (let i = 1; i < LEAK_RUN; i++) power = Math.imul(power, HASH_BASE);
  return power;
})();

export interface SecretFile {
  name: string;
  text: string;
}

/**
 * Every distinct window of the secrets' text, in an open-addressing table of
 * positions (a few bytes a character, for secrets of many MB). A window found in
 * a text that may be shown (a file the proposer can read, what the trusted version
 * shows it) is marked trusted: a license header or a line the grader prints on every
 * run is not a leak.
 */
export class SecretsIndex {
  private readonly corpus: string;
  /** Where each secret's text starts in the corpus, in order. */
  private readonly starts: number[] = [];
  /** Per slot: 0 empty; p+1 the secret window at p; -(p+1) the same, trusted. */
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(private readonly secrets: SecretFile[]) {
    const parts: string[] = [];
    let at = 0;
    for (const secret of secrets) {
      const text = normalise(secret.text);
      this.starts.push(at);
      parts.push(text);
      at += text.length + 1;
    }
    // Joined by NUL: `fill` leaves out every window that spans two secrets.
    this.corpus = parts.join('\0');
    let capacity = 16;
    while (capacity < 2 * this.corpus.length) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.fill();
  }

  /** Marks every secret window that `text` shows as trusted. */
  trust(text: string): void {
    windows(normalise(text), (hash, window, from) => {
      const slot = this.find(hash, window, from);
      if (slot >= 0 && this.slots[slot]! > 0) this.slots[slot] = -this.slots[slot]!;
    });
  }

  /** The names of the secrets whose content `text` holds (never the content itself), sorted. */
  leaks(text: string): string[] {
    const found = new Set<number>();
    for (const form of forms(text)) {
      windows(form, (hash, window, from) => {
        const slot = this.find(hash, window, from);
        if (slot >= 0 && this.slots[slot]! > 0) found.add(this.secretAt(this.slots[slot]! - 1));
      });
    }
    return [...found].map((i) => this.secrets[i]!.name).sort();
  }

  /** Every meaningful window of the corpus, once; an inline loop, for it runs once a character of MBs. */
  private fill(): void {
    const corpus = this.corpus;
    let hash = 0;
    let meaningful = 0;
    let separators = 0;
    for (let end = 0; end < corpus.length; end++) {
      const entering = corpus.charCodeAt(end);
      hash = (Math.imul(hash, HASH_BASE) + entering) | 0;
      meaningful += isMeaningful(entering) ? 1 : 0;
      separators += entering === 0 ? 1 : 0;
      const from = end - LEAK_RUN + 1;
      if (from < 0) continue;
      if (from > 0) {
        const leaving = corpus.charCodeAt(from - 1);
        hash = (hash - Math.imul(Math.imul(leaving, HASH_LEAVING), HASH_BASE)) | 0;
        meaningful -= isMeaningful(leaving) ? 1 : 0;
        separators -= leaving === 0 ? 1 : 0;
      }
      // Runs of only spaces and punctuation say nothing of the file.
      if (separators > 0 || meaningful === 0) continue;
      const small = hash & SMALL;
      if (this.find(small, corpus, from) >= 0) continue;
      let slot = mix(small) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = from + 1;
    }
  }

  /** The slot holding the window of `text` at `from`, or -1. */
  private find(hash: number, text: string, from: number): number {
    for (let slot = mix(hash) & this.mask; this.slots[slot] !== 0; slot = (slot + 1) & this.mask) {
      if (sameWindow(this.corpus, Math.abs(this.slots[slot]!) - 1, text, from)) return slot;
    }
    return -1;
  }

  private secretAt(position: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Whitespace collapsed, as the runs are compared. */
function normalise(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** A letter, a digit, or any character past ASCII: something a run of punctuation is not. */
function isMeaningful(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128;
}

/** Calls `visit` with the rolling hash of each LEAK_RUN-character window of `text`. */
function windows(text: string, visit: (hash: number, text: string, from: number) => void): void {
  if (text.length < LEAK_RUN) return;
  let hash = 0;
  for (let i = 0; i < LEAK_RUN; i++) hash = (Math.imul(hash, HASH_BASE) + text.charCodeAt(i)) | 0;
  visit(hash & SMALL, text, 0);
  for (let from = 1; from + LEAK_RUN <= text.length; from++) {
    const leaving = text.charCodeAt(from - 1);
    hash = (Math.imul((hash - Math.imul(leaving, HASH_LEAVING)) | 0, HASH_BASE) + text.charCodeAt(from + LEAK_RUN - 1)) | 0;
    visit(hash & SMALL, text, from);
  }
}

function mix(hash: number): number {
  const h = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
  return h ^ (h >>> 16);
}

function sameWindow(a: string, at: number, b: string, from: number): boolean {
  for (let i = 0; i < LEAK_RUN; i++) if (a.charCodeAt(at + i) !== b.charCodeAt(from + i)) return false;
  return true;
}

/**
 * The text as it is, and whatever its base64 and hex runs decode to, whitespace
 * collapsed. Whitespace is taken out before the runs are found, so an encoding
 * wrapped over lines or spaced by byte reads as one; a run is decoded from each of
 * its possible starts (4 for base64, 2 for hex), one of which is the encoder's.
 */
function forms(text: string): string[] {
  const out = [normalise(text)];
  const joined = text.replace(/\s+/g, '');
  for (const [run] of joined.matchAll(new RegExp(`[A-Za-z0-9+/_-]{${BASE64_MIN},}`, 'g'))) {
    const standard = run.replace(/-/g, '+').replace(/_/g, '/');
    for (let start = 0; start < 4; start++) {
      out.push(normalise(Buffer.from(standard.slice(start), 'base64').toString('utf8')));
    }
  }
  for (const [run] of joined.matchAll(new RegExp(`[0-9A-Fa-f]{${HEX_MIN},}`, 'g'))) {
    for (let start = 0; start < 2; start++) {
      out.push(normalise(Buffer.from(run.slice(start), 'hex').toString('utf8')));
    }
  }
  return out;
}
