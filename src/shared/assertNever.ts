/** The end of a switch over a union: a variant added later fails to compile until it is handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
