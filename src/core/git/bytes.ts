/**
 * Text that keeps every byte. Git keeps bytes, and a file need not be UTF-8 (a
 * Latin-1 comment, say); decoded as UTF-8 and encoded back, each such byte would
 * become EF BF BD, in every candidate and then on the branch. So a byte that is
 * not part of UTF-8 stands in the text as a lone surrogate U+DC80..U+DCFF (what
 * Python calls "surrogateescape"), a code unit no UTF-8 decodes to, and
 * `bytesOfText` writes it back as the byte it stands for. Editing, matching and
 * slicing such text keep every byte they do not touch.
 */
const ESCAPE_BASE = 0xdc00;

/** A lone surrogate of the escaped range: one not after a high surrogate, so a real character's low half never counts. */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;

/** The text of `bytes`: UTF-8, with each byte that is not part of UTF-8 escaped. */
export function textOfBytes(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  // U+FFFD is either a byte that failed to decode or the file's own character: only the first needs the slow path.
  if (!text.includes('\uFFFD') || Buffer.from(text, 'utf8').equals(bytes)) return text;
  let out = '';
  let run = 0;
  for (let i = 0; i < bytes.length; ) {
    const length = utf8Length(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += bytes.toString('utf8', run, i) + String.fromCharCode(ESCAPE_BASE + bytes[i]!);
    run = ++i;
  }
  return out + bytes.toString('utf8', run);
}

/** The bytes of text from `textOfBytes` (or any text): UTF-8, with each escaped byte as itself. */
export function bytesOfText(text: string): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (const match of text.matchAll(ESCAPED)) {
    parts.push(Buffer.from(text.slice(from, match.index), 'utf8'), Buffer.of(text.charCodeAt(match.index!) - ESCAPE_BASE));
    from = match.index! + 1;
  }
  if (from === 0) return Buffer.from(text, 'utf8');
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** Where text from `textOfBytes` holds its first byte that is not UTF-8 ("byte 0xE9 on line 3"); undefined for UTF-8 text. */
export function firstNonUtf8(text: string): string | undefined {
  const at = text.search(ESCAPED);
  if (at < 0) return undefined;
  const byte = (text.charCodeAt(at) - ESCAPE_BASE).toString(16).toUpperCase();
  return `byte 0x${byte} on line ${text.slice(0, at).split('\n').length}`;
}

/** How many bytes the UTF-8 sequence at `i` takes; 0 when the byte there begins none (the well-formed sequences of Unicode's table 3-7). */
function utf8Length(bytes: Buffer, i: number): number {
  const lead = bytes[i]!;
  const follows = (k: number, low = 0x80, high = 0xbf): boolean => {
    const b = bytes[i + k];
    return b !== undefined && b >= low && b <= high;
  };
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return follows(1) ? 2 : 0;
  // No overlong forms (E0 A0.., F0 90..), no surrogates (ED ..9F), nothing past U+10FFFF (F4 ..8F).
  if (lead >= 0xe0 && lead <= 0xef) return follows(1, lead === 0xe0 ? 0xa0 : 0x80, lead === 0xed ? 0x9f : 0xbf) && follows(2) ? 3 : 0;
  if (lead >= 0xf0 && lead <= 0xf4) return follows(1, lead === 0xf0 ? 0x90 : 0x80, lead === 0xf4 ? 0x8f : 0xbf) && follows(2) && follows(3) ? 4 : 0;
  return 0;
}
