/**
 * Readers that rebuild a value received from the other side of a message channel from
 * checked fields only: a value of the wrong shape is refused as a whole, and a field
 * the type does not name is left behind. `object()` takes a reader for every field of
 * the type, optional ones included, so a field added to the type fails to compile here
 * until it is checked.
 */

export type Reader<T> = (value: unknown) => T;

/** A reader for a field the type marks optional (`field?: T`): absent stays absent. */
export interface OptionalReader<T> {
  optional: Reader<T>;
}

type Shape<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? OptionalReader<Exclude<T[K], undefined>> : Reader<T[K]> };

class Refused extends Error {}

function refuse(expected: string): never {
  throw new Refused(expected);
}

/** The value `read` rebuilds, or undefined when it is not of the shape. */
export function readOrUndefined<T>(read: Reader<T>, value: unknown): T | undefined {
  try {
    return read(value);
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}

export const string: Reader<string> = (v) => (typeof v === 'string' ? v : refuse('a string'));
/** Any finite number: the channel turns NaN and Infinity into null, so they never arrive as numbers. */
export const number: Reader<number> = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : refuse('a number'));
/** A whole number from 0 to `max`: a count or an index. */
export function wholeNumber(max: number): Reader<number> {
  return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : refuse(`a whole number from 0 to ${max}`));
}
export const boolean: Reader<boolean> = (v) => (typeof v === 'boolean' ? v : refuse('a boolean'));

/** A constant, such as a message's `type`. */
export function literal<const T extends string>(expected: T): Reader<T> {
  return (v) => (v === expected ? expected : refuse(`"${expected}"`));
}

export function nullable<T>(read: Reader<T>): Reader<T | null> {
  return (v) => (v === null ? null : read(v));
}

export function arrayOf<T>(read: Reader<T>): Reader<T[]> {
  return (v) => (Array.isArray(v) ? v.map(read) : refuse('an array'));
}

export function oneOf<const T extends readonly string[]>(values: T): Reader<T[number]> {
  return (v) => (values.find((x) => x === v) ?? refuse(`one of ${values.join(', ')}`));
}

export function optional<T>(read: Reader<T>): OptionalReader<T> {
  return { optional: read };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function object<T>(shape: Shape<T>): Reader<T> {
  const fields = Object.entries(shape) as Array<[string, Reader<unknown> | OptionalReader<unknown>]>;
  return (value) => {
    if (!isRecord(value)) refuse('an object');
    const out: Record<string, unknown> = {};
    for (const [key, field] of fields) {
      if (typeof field === 'function') out[key] = field(value[key]);
      else if (value[key] !== undefined) out[key] = field.optional(value[key]);
    }
    // Every field of T was read above, each by a reader of its own type.
    return out as T;
  };
}
