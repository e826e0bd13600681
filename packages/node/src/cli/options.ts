import { InvalidArgumentError } from "commander";

/** Commander option parser for non-negative integers, with a clear message for anything else. */
export function parseIntOption(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a non-negative integer`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is too large`);
  return n;
}
