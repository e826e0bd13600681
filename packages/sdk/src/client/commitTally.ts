import { type BlockReceipt, sha256, toHex, type TxResult } from "@ordo/types";

/** A verified committed answer of one validator for one transaction. */
export interface VerifiedAnswer {
  url: string;
  height: number;
  index: number;
  result: TxResult;
  receipt: BlockReceipt;
}

/** One distinct result and the validators that signed it. */
export interface ResultGroup {
  height: number;
  index: number;
  code: number;
  blockId: string;
  validators: number[];
}

/**
 * Counts verified answers for one transaction by distinct validator (the receipt's signer, not the
 * URL: two URLs serving one validator count once) and groups them by what must match: height,
 * index, result code and data, block id. The result log is not covered by the Merkle leaf, so it
 * is not compared (the client reports the log of the first matching answer).
 */
export class CommitTally {
  readonly #groups = new Map<string, { group: ResultGroup; answers: VerifiedAnswer[] }>();
  readonly #byValidator = new Map<number, string>();

  constructor(readonly need: number) {}

  /** Adds an answer; returns the answers of the group once it has `need` validators. */
  add(a: VerifiedAnswer): VerifiedAnswer[] | undefined {
    const v = a.receipt.validator;
    // One vote per validator: a second, different answer from the same signer is not counted again.
    if (this.#byValidator.has(v)) return undefined;
    const key = `${a.height}:${a.index}:${a.result.code}:${toHex(sha256(a.result.data))}:${toHex(a.receipt.blockId)}`;
    this.#byValidator.set(v, key);
    let entry = this.#groups.get(key);
    if (!entry) {
      entry = {
        group: {
          height: a.height,
          index: a.index,
          code: a.result.code,
          blockId: toHex(a.receipt.blockId),
          validators: [],
        },
        answers: [],
      };
      this.#groups.set(key, entry);
    }
    entry.group.validators.push(v);
    entry.answers.push(a);
    return entry.answers.length >= this.need ? entry.answers : undefined;
  }

  /** Validators counted so far. */
  get counted(): number {
    return this.#byValidator.size;
  }

  get groups(): ResultGroup[] {
    return [...this.#groups.values()].map((e) => ({
      ...e.group,
      validators: [...e.group.validators].sort((x, y) => x - y),
    }));
  }

  /** True when no group can reach `need` even if `open` more validators all join the largest one. */
  hopeless(open: number): boolean {
    let largest = 0;
    for (const e of this.#groups.values()) largest = Math.max(largest, e.answers.length);
    return largest + open < this.need;
  }
}

export function describeGroups(groups: readonly ResultGroup[]): string {
  return groups
    .map(
      (g) =>
        `height ${g.height} index ${g.index} code ${g.code} block ${g.blockId.slice(0, 16)} from validator${
          g.validators.length === 1 ? "" : "s"
        } ${g.validators.join(", ")}`,
    )
    .join("; ");
}
