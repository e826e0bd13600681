import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface Recorded {
  votes: Map<string, Set<string>>;
  problems: string[];
}

/** Reads every validator's log of received votes and timeouts (ORDO_VOTE_LOG) and looks for violations. */
export function checkVoteLogs(dir: string, validators: number): Recorded {
  const votes = new Map<string, Set<string>>(); // "voter/round" -> block ids voted for
  const problems: string[] = [];
  for (let i = 0; i < validators; i++) {
    let text = "";
    try {
      text = readFileSync(join(dir, `votes${i}.log`), "utf8");
    } catch {
      continue; // a validator that never received anything
    }
    const timedOut = new Set<string>();
    for (const line of text.split("\n")) {
      const [kind, from, round, block] = line.split(" ");
      if (!kind || !from || !round) continue; // the last line of a killed recorder may be cut short
      const key = `${from}/${round}`;
      if (kind === "timeout") timedOut.add(key);
      if (kind === "vote" && block?.length === 64) {
        if (!votes.has(key)) votes.set(key, new Set());
        votes.get(key)!.add(block);
        if (timedOut.has(key)) problems.push(`validator ${from} voted in round ${round} after timing out in it`);
      }
    }
  }
  for (const [key, blocks] of votes)
    if (blocks.size > 1) problems.push(`double vote ${key}: ${[...blocks].join(", ")}`);
  return { votes, problems };
}
