import type { EventEmitter } from "node:events";
import { KeyPair, ValidatorSet } from "@ordo/crypto";
import { type ConsensusMessage, type Vote, ZERO_HASH } from "@ordo/types";
import { type NetworkOptions, OrdoNetwork } from "../../src/index.js";

export const CHAIN_ID = "ordo-test";

/** Deterministic keys: seed byte i + 1 repeated. */
export function makeKeys(n: number, offset = 0): KeyPair[] {
  return Array.from({ length: n }, (_, i) => KeyPair.fromSeed(new Uint8Array(32).fill(offset + i + 1)));
}

export function makeNetworks(
  keys: KeyPair[],
  validators: ValidatorSet,
  opts: (i: number) => Partial<NetworkOptions> = () => ({}),
): OrdoNetwork[] {
  return keys.map(
    (key, i) =>
      new OrdoNetwork(
        { chainId: CHAIN_ID, maintenanceIntervalMs: 200, requestTimeoutMs: 2000, dialTimeoutMs: 2000, ...opts(i) },
        { key, validators },
      ),
  );
}

export function validatorSetOf(keys: KeyPair[]): ValidatorSet {
  return new ValidatorSet(keys.map((k) => ({ publicKey: k.publicKey })));
}

type Source = EventEmitter | EventTarget;

/**
 * Resolves once `check()` is true, re-checking whenever one of `events` fires on one of `sources`;
 * rejects after `timeoutMs` naming `what`. No polling: the condition changes only on those events.
 */
export function until(
  what: string,
  check: () => boolean,
  sources: Source[],
  events: string[],
  timeoutMs = 8000,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const listener = () => {
      try {
        if (!check()) return;
      } catch (err) {
        done();
        reject(err);
        return;
      }
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      for (const s of sources) {
        for (const e of events) {
          if ("removeListener" in s) s.removeListener(e, listener);
          else s.removeEventListener(e, listener);
        }
      }
    };
    for (const s of sources) {
      for (const e of events) {
        if ("addListener" in s) s.addListener(e, listener);
        else s.addEventListener(e, listener);
      }
    }
    listener();
  });
}

/** A vote message tagged with `round` so tests can tell messages apart. */
export function voteMessage(round: number, voter = 0): ConsensusMessage {
  const vote: Vote = {
    blockId: new Uint8Array(32).fill(round % 256),
    round,
    parentId: ZERO_HASH,
    parentRound: Math.max(0, round - 1),
    voter,
    signature: new Uint8Array(64).fill(7),
  };
  return { kind: "vote", vote };
}

/** Collects (from, message) pairs delivered to a network and lets tests await a count. */
export class Inbox {
  readonly received: { from: number; message: ConsensusMessage }[] = [];
  readonly emitter: EventTarget = new EventTarget();

  constructor(net: OrdoNetwork) {
    net.onConsensusMessage((from, message) => {
      this.received.push({ from, message });
      this.emitter.dispatchEvent(new Event("message"));
    });
  }

  waitFor(count: number, what: string, timeoutMs = 8000): Promise<void> {
    return until(what, () => this.received.length >= count, [this.emitter], ["message"], timeoutMs);
  }
}
