import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalCluster } from "@ordo/node";
import { SIGNATURE_LENGTH, type Transaction } from "@ordo/types";

/** GETs `url` and parses its JSON body; throws on a non-2xx answer. */
export async function fetchJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

export interface StatusJson {
  chainId: string;
  height: number;
  round: number;
  appHash: string;
  peers: number;
}

export async function statusOf(url: string): Promise<StatusJson> {
  return (await fetchJson(`${url}/v1/status`)) as unknown as StatusJson;
}

/**
 * Polls `probe` (another process's state cannot be awaited as an event) until it returns a value,
 * at most `timeoutMs`; the error names what was awaited and the last failure.
 */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

/**
 * POSTs a JSON body that declares `bytes` in Content-Length but sends only its start: a server
 * that enforces its body limit answers 413 from the header, before reading (and fetch would
 * fail with EPIPE writing a body the server already refused).
 */
export function declaredBodyTooLarge(url: string, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/tx`,
      { method: "POST", headers: { "content-type": "application/json", "content-length": String(bytes) } },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString("utf8");
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.write('{"tx":"AAAA');
  });
}

/**
 * `count` distinct noop transactions numbered from `first` (for a chain with txAuth none: the
 * signature is not checked, so it is left zero).
 */
export function noopTransactions(chainId: string, first: number, count: number): Transaction[] {
  const txs: Transaction[] = [];
  for (let n = first; n < first + count; n++) {
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setUint32(0, n);
    txs.push({
      chainId,
      sender: new Uint8Array(32).fill(7),
      nonce: BigInt(n),
      payload,
      signature: new Uint8Array(SIGNATURE_LENGTH),
    });
  }
  return txs;
}

/**
 * A new folder for a cluster's homes, on tmpfs when there is one: these tests measure the protocol,
 * not this machine's fsync latency (hundreds of ms per block on a busy shared disk).
 * ORDO_E2E_TMP picks another base folder.
 */
export function fastTempDir(prefix: string): string {
  const base = process.env.ORDO_E2E_TMP ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());
  return mkdtempSync(join(base, prefix));
}

/** Four noop validators, txAuth none, blocks of at most `maxTxsPerBlock` (and a 5 ms batch wait). */
export function startNoopCluster(
  dir: string,
  opts: { maxTxsPerBlock: number; retainBlocks?: number },
): Promise<LocalCluster> {
  return LocalCluster.start({
    dir,
    validators: 4,
    app: "noop",
    accounts: 1,
    txAuth: "none",
    ...(opts.retainBlocks !== undefined ? { retainBlocks: opts.retainBlocks } : {}),
    consensus: { maxTxsPerBlock: opts.maxTxsPerBlock, maxBatchWaitMs: 5 },
  });
}

/** Stops `cluster`; removes `dir` unless the test failed or ORDO_KEEP_LOGS is set (then says where it is). */
export async function stopAndClean(
  cluster: LocalCluster | undefined,
  dir: string,
  failed: boolean,
  what: string,
): Promise<void> {
  await cluster?.stop();
  if (failed || process.env.ORDO_KEEP_LOGS) console.log(`${what}: logs in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
