import type { KeyPair, ValidatorSet } from "@ordo/crypto";
import { ClientOptionsError } from "./errors.js";

/** Where the first nonce of a sender comes from: a fixed value, or a callback (usually an app query). */
export type NonceSource = bigint | ((sender: Uint8Array) => Promise<bigint>);

export interface ClientOptions {
  /** Base URLs of validators' HTTP APIs (`http://127.0.0.1:8080`); submissions go to the first that answers. */
  urls: readonly string[];
  chainId: string;
  /** The genesis validator set: receipts are verified against it alone. */
  validators: ValidatorSet;
  /** Signs transactions built by `buildTx`/`send` when no key is passed to the call. */
  key?: KeyPair;
  /** First nonce of a sender the client has not used yet (default 0n). */
  startNonce: NonceSource;
  /** How long `waitForCommit` waits for f + 1 matching receipts. */
  commitTimeoutMs: number;
  /** Polling backoff of GET /v1/tx/:id, per validator: first delay, doubling up to the max. */
  pollMinMs: number;
  pollMaxMs: number;
  /** Longest one HTTP request may take. */
  requestTimeoutMs: number;
  /** Most transactions per POST /v1/txs (the node's default limit is 10,000). */
  maxTxsPerRequest: number;
}

export type ClientInit = Pick<ClientOptions, "urls" | "chainId" | "validators"> & Partial<ClientOptions>;

export const defaultClientOptions = Object.freeze({
  startNonce: 0n,
  commitTimeoutMs: 30_000,
  pollMinMs: 10,
  pollMaxMs: 500,
  requestTimeoutMs: 10_000,
  maxTxsPerRequest: 2_000,
}) satisfies Partial<ClientOptions>;

const positiveInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;

/** Fills defaults and checks every option; a bad one throws ClientOptionsError naming it. */
export function validateClientOptions(init: ClientInit): ClientOptions {
  const opts: ClientOptions = { ...defaultClientOptions, ...init };
  const fail = (field: string, expected: string): never => {
    throw new ClientOptionsError("INVALID_OPTIONS", `client option ${field} must be ${expected}`, { field });
  };
  if (!Array.isArray(opts.urls) || opts.urls.length === 0) fail("urls", "a non-empty list of validator URLs");
  for (const url of opts.urls) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
      fail("urls", `http(s) URLs (got ${JSON.stringify(url)})`);
  }
  if (new Set(opts.urls).size !== opts.urls.length) fail("urls", "distinct URLs");
  if (typeof opts.chainId !== "string" || opts.chainId.length === 0) fail("chainId", "a non-empty string");
  if (!opts.validators || typeof opts.validators.publicKey !== "function") fail("validators", "a ValidatorSet");
  if (typeof opts.startNonce !== "function" && (typeof opts.startNonce !== "bigint" || opts.startNonce < 0n))
    fail("startNonce", "a non-negative bigint or a function");
  for (const f of ["commitTimeoutMs", "pollMinMs", "pollMaxMs", "requestTimeoutMs", "maxTxsPerRequest"] as const) {
    if (!positiveInt(opts[f])) fail(f, "a positive integer");
  }
  if (opts.pollMaxMs < opts.pollMinMs) fail("pollMaxMs", "at least pollMinMs");
  return opts;
}
