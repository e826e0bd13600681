import type { EventEmitter } from "node:events";
import { KeyPair, ValidatorSet } from "@ordo/crypto";
import { type ConsensusMessage, type Vote, ZERO_HASH } from "@ordo/types";
import { type NetworkOptions, OrdoNetwork } from "../../src/index.js";

export const CHAIN_ID = "ordo-test";

/** Deterministic keys: seed byte i + 1 repeated. */
export function makeKeys(n: number, offset = 0): KeyPair[] {
  return Array.from({ length: n }, (_, i) => KeyPair.fromSeed(new Uint8Array(32).fill(offset + i + 1)));
}

export function makeNetwork(key: KeyPair, validators: ValidatorSet, opts: Partial<NetworkOptions> = {}): OrdoNetwork {
  return new OrdoNetwork(
    { chainId: CHAIN_ID, maintenanceIntervalMs: 200, requestTimeoutMs: 2000, dialTimeoutMs: 2000, ...opts },
    { key, validators },
  );
}

/**
 * Starts one network per key: the first on its own, the others with only the first's address as
 * bootstrap. `started` receives each network as soon as it exists, so `after` hooks can stop it
 * even when a later start fails.
 */
export async function startCluster(
  keys: KeyPair[],
  validators: ValidatorSet,
  started: OrdoNetwork[],
  opts: Partial<NetworkOptions> = {},
): Promise<OrdoNetwork[]> {
  const first = makeNetwork(keys[0]!, validators, opts);
  started.push(first);
  await first.start();
  const bootstrap = [first.multiaddrs()[0]!];
  const rest = keys.slice(1).map((key) => makeNetwork(key, validators, { ...opts, bootstrap }));
  started.push(...rest);
  await Promise.all(rest.map((n) => n.start()));
  return [first, ...rest];
}

/** The next `event` on `source` (its first argument, or a CustomEvent's detail) that passes `filter`. */
export function nextEvent<T>(
  source: EventEmitter | EventTarget,
  event: string,
  what: string,
  filter: (value: T) => boolean = () => true,
  timeoutMs = 8000,
): Promise<T> {
  let value: T | undefined;
  let seen = false;
  const probe = new EventTarget();
  const capture = (arg: unknown) => {
    const v = (arg instanceof CustomEvent ? arg.detail : arg) as T;
    if (!seen && filter(v)) {
      seen = true;
      value = v;
      probe.dispatchEvent(new Event("seen"));
    }
  };
  if ("addListener" in source) source.addListener(event, capture);
  else source.addEventListener(event, capture);
  return until(what, () => seen, [probe], ["seen"], timeoutMs)
    .then(() => value as T)
    .finally(() => {
      if ("removeListener" in source) source.removeListener(event, capture);
      else source.removeEventListener(event, capture);
    });
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
