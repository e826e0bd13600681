import { readFileSync } from "node:fs";
import { ConfigError } from "./errors.js";

/** Reads a JSON file, turning a missing file or bad JSON into a ConfigError naming the file. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError("MISSING_FILE", `cannot read the ${what} at ${path}: ${(err as Error).message}`, { path });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError("INVALID_JSON", `the ${what} at ${path} is not valid JSON: ${(err as Error).message}`, {
      path,
    });
  }
}

/** Small checkers that name the offending field. */
export class FieldChecker {
  constructor(
    private readonly code: "INVALID_CONFIG" | "INVALID_GENESIS",
    private readonly file: string,
  ) {}

  fail(field: string, expected: string, got: unknown): never {
    throw new ConfigError(this.code, `${this.file}: ${field} must be ${expected}, got ${JSON.stringify(got)}`, {
      field,
    });
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(field, "an object", value);
    return value as Record<string, unknown>;
  }

  string(value: unknown, field: string, pattern?: RegExp): string {
    if (typeof value !== "string" || (pattern && !pattern.test(value))) {
      this.fail(field, pattern ? `a string matching ${pattern}` : "a string", value);
    }
    return value as string;
  }

  int(value: unknown, field: string, min: number, max: number): number {
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
      this.fail(field, `an integer in [${min}, ${max}]`, value);
    }
    return value as number;
  }

  bool(value: unknown, field: string): boolean {
    if (typeof value !== "boolean") this.fail(field, "true or false", value);
    return value as boolean;
  }

  stringArray(value: unknown, field: string): string[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
      this.fail(field, "an array of strings", value);
    return value as string[];
  }
}
