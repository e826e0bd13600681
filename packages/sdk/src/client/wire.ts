import { type BlockReceipt, fromBase64, fromHex, HASH_LENGTH, SIGNATURE_LENGTH, type TxResult } from "@ordo/types";

/**
 * Parsing of the validator HTTP API's JSON (packages/node/src/api/json.ts): ids and hashes in hex,
 * opaque bytes in base64. Validators are peers, so every field is checked; a bad one throws a
 * `WireError` naming it, which the client records as that validator's answer, never as a crash.
 */
export class WireError extends Error {}

export type TxStatusAnswer =
  | { status: "unknown" }
  | { status: "pending" }
  | {
      status: "committed";
      height: number;
      index: number;
      result: TxResult;
      receipt: BlockReceipt;
      resultCount: number;
      proof: Uint8Array[];
    };

export interface QueryAnswer {
  code: number;
  value: Uint8Array;
  log: string;
  height: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function obj(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) throw new WireError(`${field} is not an object`);
  return v;
}

function uint(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max)
    throw new WireError(`${field} is not an integer`);
  return v;
}

function str(v: unknown, field: string): string {
  if (typeof v !== "string") throw new WireError(`${field} is not a string`);
  return v;
}

function hex(v: unknown, field: string, length?: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(str(v, field));
  } catch {
    throw new WireError(`${field} is not hex`);
  }
  if (length !== undefined && bytes.length !== length) throw new WireError(`${field} is not ${length} bytes`);
  return bytes;
}

function b64(v: unknown, field: string, length?: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(str(v, field));
  } catch {
    throw new WireError(`${field} is not base64`);
  }
  if (length !== undefined && bytes.length !== length) throw new WireError(`${field} is not ${length} bytes`);
  return bytes;
}

/** Most Merkle path entries accepted: a tree of 2^64 leaves. */
const MAX_PROOF_LENGTH = 64;

export function parseReceipt(v: unknown): BlockReceipt {
  const r = obj(v, "receipt");
  return {
    height: uint(r.height, "receipt.height"),
    blockId: hex(r.blockId, "receipt.blockId", HASH_LENGTH),
    resultsRoot: hex(r.resultsRoot, "receipt.resultsRoot", HASH_LENGTH),
    appHash: hex(r.appHash, "receipt.appHash", HASH_LENGTH),
    validator: uint(r.validator, "receipt.validator", 0xffff),
    signature: b64(r.signature, "receipt.signature", SIGNATURE_LENGTH),
  };
}

export function parseResult(v: unknown): TxResult {
  const r = obj(v, "result");
  return {
    code: uint(r.code, "result.code", 0xffffffff),
    data: b64(r.data, "result.data"),
    log: str(r.log, "result.log"),
  };
}

/** The answer of GET /v1/tx/:id given its HTTP status and body. */
export function parseTxStatus(status: number, body: unknown): TxStatusAnswer {
  if (status === 404) return { status: "unknown" };
  if (status !== 200) throw new WireError(`HTTP ${status}`);
  const b = obj(body, "body");
  if (b.status === "pending") return { status: "pending" };
  if (b.status !== "committed") throw new WireError(`status ${JSON.stringify(b.status)} is not pending or committed`);
  if (!Array.isArray(b.proof) || b.proof.length > MAX_PROOF_LENGTH)
    throw new WireError("proof is not a list of hashes");
  return {
    status: "committed",
    height: uint(b.height, "height"),
    index: uint(b.index, "index", 0xffffffff),
    result: parseResult(b.result),
    receipt: parseReceipt(b.receipt),
    resultCount: uint(b.resultCount, "resultCount", 0xffffffff),
    proof: b.proof.map((p, i) => hex(p, `proof[${i}]`, HASH_LENGTH)),
  };
}

export function parseQuery(body: unknown): QueryAnswer {
  const b = obj(body, "body");
  return {
    code: uint(b.code, "code", 0xffffffff),
    value: b64(b.value, "value"),
    log: str(b.log, "log"),
    height: uint(b.height, "height"),
  };
}

/** The message of an API error body `{error: {code, message}}`, or a fallback. */
export function apiErrorOf(body: unknown): { code: string; message: string } {
  const e = isObject(body) && isObject(body.error) ? body.error : {};
  return {
    code: typeof e.code === "string" ? e.code : "UNKNOWN",
    message: typeof e.message === "string" ? e.message : "no message",
  };
}
