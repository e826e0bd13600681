import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KeyPair, signReceipt, ValidatorSet } from "@ordo/crypto";
import {
  type BlockReceipt,
  decodeTransaction,
  fromBase64,
  merkleProof,
  merkleRoot,
  resultLeaf,
  sha256,
  toBase64,
  toHex,
  type Transaction,
  transactionId,
  type TxResult,
} from "@ordo/types";

/**
 * Fake validators for client tests: real `node:http` servers on 127.0.0.1 with real keys, serving
 * the validator API's JSON shapes (packages/node/src/api) with really signed block receipts and
 * real Merkle paths. Each can be told to misbehave.
 */
export type Behaviour =
  | "honest"
  /** Serves a receipt whose signature is not its own. */
  | "forgedSignature"
  /** Serves a Merkle path that does not lead to its receipt's results root. */
  | "wrongProof"
  /** Signs (validly) a different result for every transaction: code 99. */
  | "differentResult"
  /** Never commits anything: every transaction stays pending. */
  | "pending"
  /** Serves another validator's (valid) answers as its own. */
  | "copyNext";

interface Committed {
  height: number;
  index: number;
  result: TxResult;
  receipt: BlockReceipt;
  resultCount: number;
  proof: Uint8Array[];
}

const statusJson = (id: string, c: Committed) => ({
  id,
  status: "committed",
  height: c.height,
  index: c.index,
  result: { code: c.result.code, data: toBase64(c.result.data), log: c.result.log },
  receipt: {
    height: c.receipt.height,
    blockId: toHex(c.receipt.blockId),
    resultsRoot: toHex(c.receipt.resultsRoot),
    appHash: toHex(c.receipt.appHash),
    validator: c.receipt.validator,
    signature: toBase64(c.receipt.signature),
  },
  resultCount: c.resultCount,
  proof: c.proof.map(toHex),
});

export class FakeValidator {
  behaviour: Behaviour = "honest";
  /** Requests received, by "METHOD path" without the query string. */
  readonly requests = new Map<string, number>();
  readonly submitted: Transaction[] = [];
  readonly committed = new Map<string, Committed>();
  height = 0;
  url = "";
  readonly #server: Server;

  constructor(
    readonly cluster: FakeCluster,
    readonly index: number,
    readonly key: KeyPair,
  ) {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err) => {
        res.writeHead(500).end(JSON.stringify({ error: { code: "INTERNAL", message: String(err) } }));
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Stops listening: its URL then refuses connections. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  count(key: string): number {
    return this.requests.get(key) ?? 0;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const route = `${req.method} ${url.pathname.replace(/^\/v1\/tx\/[0-9a-f]+$/, "/v1/tx/:id")}`;
    this.requests.set(route, this.count(route) + 1);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const body = async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    };

    if (route === "POST /v1/tx") {
      const tx = decodeTransaction(fromBase64((await body()).tx));
      const o = this.#admit(tx);
      return o.accepted ? send(202, o) : send(422, { error: { code: o.code, message: o.message }, ...o });
    }
    if (route === "POST /v1/txs") {
      const txs: string[] = (await body()).txs;
      return send(202, { results: txs.map((t) => this.#admit(decodeTransaction(fromBase64(t)))) });
    }
    if (route === "GET /v1/tx/:id") {
      const id = url.pathname.slice("/v1/tx/".length);
      const source = this.behaviour === "copyNext" ? this.cluster.validators[(this.index + 1) % this.cluster.n]! : this;
      const c = source.committed.get(id);
      if (c && this.behaviour !== "pending") return send(200, statusJson(id, c));
      if (this.submitted.some((t) => toHex(transactionId(t)) === id) || this.cluster.known.has(id))
        return send(200, { id, status: "pending" });
      return send(404, { error: { code: "UNKNOWN_TX", message: `no transaction ${id}` } });
    }
    if (route === "GET /v1/query") {
      const path = url.searchParams.get("path") ?? "";
      const data = fromBase64(url.searchParams.get("data") ?? "");
      const value = this.cluster.queryAnswer(this, path, data);
      return send(200, { code: 0, value: toBase64(value), log: "", height: this.height });
    }
    if (route === "GET /v1/status") {
      return send(200, {
        chainId: this.cluster.chainId,
        moniker: `fake-${this.index}`,
        validatorIndex: this.index,
        height: this.height,
        round: this.height + 1,
        leader: 0,
        appHash: toHex(new Uint8Array(32)),
        peers: this.cluster.n - 1,
        catchingUp: false,
        mempoolSize: this.submitted.length,
      });
    }
    return send(404, { error: { code: "NOT_FOUND", message: `no route ${route}` } });
  }

  #admit(tx: Transaction) {
    const id = toHex(transactionId(tx));
    if (tx.payload[0] === 0xff) return { accepted: false, id, code: "CHECK_TX_FAILED", message: "payload refused" };
    this.submitted.push(tx);
    this.cluster.known.add(id);
    if (this.cluster.autoCommit) this.cluster.commit([tx]);
    return { accepted: true, id };
  }
}

/** Result every honest validator computes for a transaction: code 0, data = first payload byte. */
export const honestResult = (tx: Transaction): TxResult => ({ code: 0, data: tx.payload.slice(0, 1), log: "ok" });

export class FakeCluster {
  readonly validators: FakeValidator[];
  readonly keys: KeyPair[];
  readonly validatorSet: ValidatorSet;
  /** Transaction ids any validator has seen (so the others answer pending, not unknown). */
  readonly known = new Set<string>();
  /** Commit every admitted transaction at once, in a block of its own. */
  autoCommit = false;
  height = 0;
  /** Answer of every query: `${path}:${data length}`, unless a validator is told to lie. */
  queryAnswer = (v: FakeValidator, path: string, data: Uint8Array): Uint8Array =>
    new TextEncoder().encode(`${path}:${data.length}${v.behaviour === "differentResult" ? ":lie" : ""}`);

  private constructor(
    readonly chainId: string,
    readonly n: number,
  ) {
    this.keys = Array.from({ length: n }, (_, i) => KeyPair.fromSeed(sha256(new TextEncoder().encode(`fake ${i}`))));
    this.validatorSet = new ValidatorSet(this.keys.map((k) => ({ publicKey: k.publicKey })));
    this.validators = this.keys.map((k, i) => new FakeValidator(this, i, k));
  }

  static async start(n = 4, chainId = "fake-chain"): Promise<FakeCluster> {
    const c = new FakeCluster(chainId, n);
    await Promise.all(c.validators.map((v) => v.listen()));
    return c;
  }

  get urls(): string[] {
    return this.validators.map((v) => v.url);
  }

  /** Executes `txs` as the next block at every validator, each signing its receipt per its behaviour. */
  commit(txs: readonly Transaction[]): number {
    const height = ++this.height;
    const ids = txs.map(transactionId);
    const blockId = sha256(new TextEncoder().encode(`block ${height}`), ...ids);
    for (const v of this.validators) {
      v.height = height;
      const results = txs.map((tx) =>
        v.behaviour === "differentResult" ? { code: 99, data: new Uint8Array([9]), log: "lie" } : honestResult(tx),
      );
      const leaves = results.map((r, i) => resultLeaf(ids[i]!, r));
      const unsigned = { height, blockId, resultsRoot: merkleRoot(leaves), appHash: sha256(blockId) };
      const signer = v.behaviour === "forgedSignature" ? KeyPair.generate() : v.key;
      const receipt: BlockReceipt = {
        ...unsigned,
        validator: v.index,
        signature: signReceipt(signer, this.chainId, unsigned),
      };
      txs.forEach((_, i) => {
        const proof = merkleProof(leaves, i);
        if (v.behaviour === "wrongProof") {
          if (proof.length === 0) proof.push(new Uint8Array(32));
          else proof[0] = sha256(proof[0]!);
        }
        this.known.add(toHex(ids[i]!));
        v.committed.set(toHex(ids[i]!), {
          height,
          index: i,
          result: results[i]!,
          receipt,
          resultCount: txs.length,
          proof,
        });
      });
    }
    return height;
  }

  async close(): Promise<void> {
    await Promise.all(this.validators.map((v) => v.close().catch(() => {})));
  }
}
