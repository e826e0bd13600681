import { expect } from "chai";
import { AppHarness, Code } from "@ordo/sdk";
import { decodeScan, deleteOp, KvApp, KvCode, MAX_KEY_BYTES, MAX_VALUE_BYTES, setOp } from "../src/index.js";

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
      [setOp(new Uint8Array(), b("v")), KvCode.BAD_KEY],
      [setOp(b("k"), new Uint8Array(MAX_VALUE_BYTES + 1)), KvCode.VALUE_TOO_LARGE],
      [deleteOp(b("missing")), KvCode.NOT_FOUND],
      [new Uint8Array([1, 0, 0]), Code.BAD_PAYLOAD],
      [new Uint8Array([7]), Code.UNKNOWN_OPERATION],
      [new Uint8Array([...setOp(b("k"), b("v")), 0]), Code.BAD_PAYLOAD],
    ];
    for (const [payload, code] of cases)
      expect((await h.checkTx(user.tx(payload, 0n))).code, `checkTx ${code}`).to.equal(code);
    const before = h.appHash;
    const r = await h.block(cases.map(([payload]) => user.tx(payload)));
    expect(r.results.map((x) => x.code)).to.deep.equal(cases.map(([, code]) => code));
    expect(decodeScan((await h.query("scan", new Uint8Array())).value)).to.deep.equal([]);
    expect(r.appHash).to.not.deep.equal(before); // a new height, even with no writes
    expect((await h.query("nope")).code).to.equal(Code.UNKNOWN_QUERY);
  });
});
