/** The structured logger the network writes to (the node passes a pino child; tests pass nothing). */
export interface NetworkLogger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
}

export const silentLogger: NetworkLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
});
