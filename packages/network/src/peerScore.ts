import type { ConnectionGater, PeerId } from "@libp2p/interface";

export interface PeerScoreOptions {
  offensePenalty: number;
  banScore: number;
  banMs: number;
}

/**
 * A score per peer that only protocol offenses lower. At `banScore` the peer is banned for `banMs`:
 * the connection gater then refuses dials to it and its inbound connections. A ban that expires
 * resets the score, so a validator that misbehaved once (say, a bug since fixed) can rejoin.
 */
export class PeerScore {
  readonly #opts: PeerScoreOptions;
  readonly #now: () => number;
  readonly #scores = new Map<string, number>();
  readonly #bannedUntil = new Map<string, number>();

  constructor(opts: PeerScoreOptions, now: () => number = Date.now) {
    this.#opts = opts;
    this.#now = now;
  }

  score(peer: PeerId | string): number {
    return this.#scores.get(peer.toString()) ?? 0;
  }

  /** Lowers the peer's score; returns true when this offense got it banned. */
  penalize(peer: PeerId | string): boolean {
    const key = peer.toString();
    const score = (this.#scores.get(key) ?? 0) - this.#opts.offensePenalty;
    this.#scores.set(key, score);
    if (score <= this.#opts.banScore && !this.isBanned(key)) {
      this.#bannedUntil.set(key, this.#now() + this.#opts.banMs);
      return true;
    }
    return false;
  }

  isBanned(peer: PeerId | string): boolean {
    const key = peer.toString();
    const until = this.#bannedUntil.get(key);
    if (until === undefined) return false;
    if (this.#now() < until) return true;
    this.#bannedUntil.delete(key);
    this.#scores.delete(key);
    return false;
  }

  /** A libp2p connection gater that refuses banned peers both ways. */
  gater(): ConnectionGater {
    return {
      denyDialPeer: (peer) => this.isBanned(peer),
      denyInboundEncryptedConnection: (peer) => this.isBanned(peer),
      denyOutboundEncryptedConnection: (peer) => this.isBanned(peer),
    };
  }
}
