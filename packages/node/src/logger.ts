import { pino, type Logger } from "pino";
import type { NodeConfig } from "./config.js";

export type { Logger };

/**
 * Structured logs, one JSON object per line (`log.info({ round, blockId }, "vote sent")`), from
 * pino: the logger Fastify uses, cheap enough for the hot path at debug level when disabled.
 */
export function createLogger(opts: {
  name: string;
  level: NodeConfig["log"]["level"];
  destination?: NodeJS.WritableStream;
}): Logger {
  return pino({ name: opts.name, level: opts.level, base: { name: opts.name } }, opts.destination ?? process.stdout);
}
