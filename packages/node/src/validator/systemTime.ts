import { performance } from "node:perf_hooks";
import type { Cancel, TimeService } from "@ordo/consensus";

/**
 * Wall-clock time for a real validator, real timers. `now` is epoch milliseconds (proposers put it in
 * block headers, and apps read it) but monotonic within the process: the epoch time at start plus
 * performance.now(), so a system clock step cannot make a header timestamp go backwards.
 */
export const systemTime: TimeService = Object.freeze({
  now: () => Math.floor(performance.timeOrigin + performance.now()),
  setTimeout(fn: () => void, ms: number): Cancel {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
});
