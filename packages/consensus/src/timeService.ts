/** Injected clock, so the same code runs on wall time in a validator and on virtual time in the simulator. */
export type Cancel = () => void;

export interface TimeService {
  /** Milliseconds; monotonic within one process. */
  now(): number;
  setTimeout(fn: () => void, ms: number): Cancel;
}
