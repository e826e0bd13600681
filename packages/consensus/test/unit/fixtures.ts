export { CHAIN, certify, child, genesis, keys, validators } from "../../src/testing/fixtures.js";

/** A fake clock: timers fire only when the test advances time. */
export class FakeTime {
  clock = 0;
  now = () => this.clock;
  timers: { at: number; fn: () => void; live: boolean }[] = [];
  setTimeout = (fn: () => void, ms: number) => {
    const t = { at: this.clock + ms, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  };
  advance(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      next.live = false;
      this.clock = next.at;
      next.fn();
    }
    this.clock = until;
  }
}
