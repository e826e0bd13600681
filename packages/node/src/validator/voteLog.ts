import { createWriteStream, type WriteStream } from "node:fs";
import { type ConsensusMessage, toHex } from "@ordo/types";

/**
 * Appends every vote and timeout this validator receives, with the authenticated sender, to a file:
 * `vote <from> <round> <blockId>` / `timeout <from> <round>`. Crash tests collect these from the
 * other validators to prove a restarted validator never signed two votes for one round, nor voted
 * in a round it had timed out in. Off unless the ORDO_VOTE_LOG environment variable names a file.
 */
export class VoteLog {
  readonly #out: WriteStream;

  private constructor(path: string) {
    this.#out = createWriteStream(path, { flags: "a" });
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): VoteLog | undefined {
    return env.ORDO_VOTE_LOG ? new VoteLog(env.ORDO_VOTE_LOG) : undefined;
  }

  record(from: number, m: ConsensusMessage): void {
    if (m.kind === "vote") this.#out.write(`vote ${from} ${m.vote.round} ${toHex(m.vote.blockId)}\n`);
    else if (m.kind === "timeout") this.#out.write(`timeout ${from} ${m.timeout.round}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#out.end(resolve));
  }
}
