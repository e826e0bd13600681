import { expect } from "chai";
import { AppHarness, Code, MemoryBackend } from "@ordo/sdk";
import {
  createApp,
  decodeScan,
  deleteOp,
  KvApp,
  KvCode,
  MAX_KEY_BYTES,
  MAX_NONCE_AHEAD,
  MAX_SCAN,
  MAX_VALUE_BYTES,
  scanAfterQuery,
  setOp,
} from "../src/index.js";

const b = (s: string) => new TextEncoder().encode(s);
const s = (x: Uint8Array) => new TextDecoder().decode(x);

describe("kv app", () => {
  it("sets, gets, overwrites, deletes and scans by prefix in key order", async () => {
    const h = await AppHarness.create(new KvApp());
    const user = h.account(1);
    const r = await h.block([
      user.tx(setOp(b("fruit/pear"), b("3"))),
      user.tx(setOp(b("fruit/apple"), b("1"))),
      user.tx(setOp(b("veg/leek"), b("9"))),
    ]);
    expect(r.results.map((x) => x.code)).to.deep.equal([0, 0, 0]);
    expect(s((await h.query("get", b("fruit/pear"))).value)).to.equal("3");
    await h.block([user.tx(setOp(b("fruit/pear"), b("4"))), user.tx(deleteOp(b("veg/leek")))]);
    expect(s((await h.query("get", b("fruit/pear"))).value)).to.equal("4");
    expect((await h.query("get", b("veg/leek"))).code).to.equal(KvCode.NOT_FOUND);
    const scan = decodeScan((await h.query("scan", b("fruit/"))).value).map(([k, v]) => `${s(k)}=${s(v)}`);
    expect(scan).to.deep.equal(["fruit/apple=1", "fruit/pear=4"]);
  });

  it("rejects oversized keys and values, empty keys, deleting a missing key, and malformed payloads", async () => {
    const h = await AppHarness.create(new KvApp());
    const user = h.account(2);
    const cases: [Uint8Array, number][] = [
      [setOp(new Uint8Array(MAX_KEY_BYTES + 1), b("v")), KvCode.BAD_KEY],
      [deleteOp(new Uint8Array(5000)), KvCode.BAD_KEY],
      [setOp(new Uint8Array(), b("v")), KvCode.BAD_KEY],
      [setOp(b("k"), new Uint8Array(MAX_VALUE_BYTES + 1)), KvCode.VALUE_TOO_LARGE],
      [setOp(b("k"), new Uint8Array(60_000)), KvCode.VALUE_TOO_LARGE],
      [new Uint8Array([1, 0xff, 0xff, 0xff, 0xff, 1]), Code.BAD_PAYLOAD], // a length longer than the payload
      [deleteOp(b("missing")), KvCode.NOT_FOUND],
      [new Uint8Array([1, 0, 0]), Code.BAD_PAYLOAD],
      [new Uint8Array([7]), Code.UNKNOWN_OPERATION],
      [new Uint8Array([...setOp(b("k"), b("v")), 0]), Code.BAD_PAYLOAD],
    ];
    for (const [payload, code] of cases)
      expect((await h.checkTx(user.tx(payload, 0n))).code, `checkTx ${code}`).to.equal(code);
    const before = h.appHash;
    // All at nonce 0: a failed transaction does not use up its nonce.
    const r = await h.block(cases.map(([payload]) => user.tx(payload, 0n)));
    expect(r.results.map((x) => x.code)).to.deep.equal(cases.map(([, code]) => code));
    expect(decodeScan((await h.query("scan", new Uint8Array())).value)).to.deep.equal([]);
    expect(r.appHash).to.not.deep.equal(before); // a new height, even with no writes
    expect((await h.query("nope")).code).to.equal(Code.UNKNOWN_QUERY);
  });

  it("refuses a replayed or out-of-order transaction, so an old write cannot undo a newer one", async () => {
    const h = await AppHarness.create(new KvApp());
    const alice = h.account(3);
    const v1 = alice.tx(setOp(b("owner"), b("v1")));
    await h.block([v1]);
    await h.block([alice.tx(setOp(b("owner"), b("v2")))]);
    expect((await h.checkTx(v1)).code).to.equal(KvCode.NONCE_MISMATCH);
    expect((await h.block([v1])).results[0]!.code).to.equal(KvCode.NONCE_MISMATCH);
    expect(s((await h.query("get", b("owner"))).value)).to.equal("v2");
    const ahead = alice.tx(setOp(b("x"), b("1")), 5n);
    expect((await h.checkTx(ahead)).code, "a later nonce is admitted").to.equal(Code.OK);
    expect((await h.block([ahead])).results[0]!.code, "but executes only in order").to.equal(KvCode.NONCE_MISMATCH);
    expect((await h.checkTx(alice.tx(setOp(b("x"), b("1")), 2n + MAX_NONCE_AHEAD))).code).to.equal(
      KvCode.NONCE_TOO_FAR,
    );
    const nonce = (await h.query("nonce", alice.publicKey)).value;
    expect(new DataView(nonce.buffer, nonce.byteOffset).getBigUint64(0)).to.equal(2n);
  });

  it("a scan returns at most MAX_SCAN entries, in key order, and scanAfter pages on from the last key", async () => {
    const h = await AppHarness.create(new KvApp());
    const user = h.account(4);
    const keys = Array.from({ length: MAX_SCAN + 5 }, (_, i) => `k/${String(i).padStart(4, "0")}`);
    const r = await h.block(keys.map((k) => user.tx(setOp(b(k), b("v")))));
    expect(r.results.every((x) => x.code === Code.OK)).to.equal(true);
    const got = decodeScan((await h.query("scan", b("k/"))).value).map(([k]) => s(k));
    expect(got).to.deep.equal(keys.slice(0, MAX_SCAN));
    const next = await h.query("scanAfter", scanAfterQuery(b("k/"), b(got.at(-1)!)));
    expect(decodeScan(next.value).map(([k]) => s(k))).to.deep.equal(keys.slice(MAX_SCAN));
    expect((await h.query("scanAfter", new Uint8Array([1]))).code, "malformed query data").to.equal(Code.BAD_PAYLOAD);
  });

  it("createApp is the factory a node loads, on the backend it is given", async () => {
    const backend = new MemoryBackend();
    const h = await AppHarness.create(createApp({ backend }));
    await h.block([h.account(5).tx(setOp(b("k"), b("v")))]);
    const reopened = createApp({ backend });
    expect((await reopened.info()).lastHeight).to.equal(1);
    expect(s((await reopened.query({ path: "get", data: b("k") })).value)).to.equal("v");
  });
});
