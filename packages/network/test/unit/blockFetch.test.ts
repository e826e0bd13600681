import { type CommittedRangeRequest, encodeBlock, encodeBlockHeader } from "@ordo/types";
import { arbitraryBlock, arbitraryQuorumCert, SeededRandom } from "@ordo/types/testing";
import { expect } from "chai";
import { type OrdoNetwork, RequestFailedError, RequestTimeoutError, UnknownValidatorError } from "../../src/index.js";
import { makeKeys, startCluster, until, validatorSetOf } from "./helpers.js";

const rng = new SeededRandom(11);

describe("block sync over /ordo/range (committed ranges)", function () {
  this.timeout(30_000);
  const keys = makeKeys(3);
  const validators = validatorSetOf(keys);
  const started: OrdoNetwork[] = [];
  let nets: OrdoNetwork[];

  before(async () => {
    nets = await startCluster(keys, validators, started, { requestTimeoutMs: 1500 });
    await until("a full mesh of 3 validators", () => nets.every((n) => n.connectedValidators().length === 2), nets, [
      "validator:connect",
    ]);
  });

  after(async () => {
    await Promise.all(started.map((n) => n.stop()));
  });

  it("answers a range request with the handler's blocks, proof headers and proof QC", async () => {
    const blocks = [arbitraryBlock(rng, 2), arbitraryBlock(rng, 3)];
    const proofHeaders = [arbitraryBlock(rng, 0).header];
    const proofQc = arbitraryQuorumCert(rng);
    let asked: { req: CommittedRangeRequest; by: number } | undefined;
    nets[1]!.setRangeRequestHandler(async (req, from) => {
      asked = { req, by: from.validator };
      return { committedHeight: 77, blocks, proofHeaders, proofQc };
    });
    const res = await nets[0]!.requestRange(1, { fromHeight: 5, count: 2 });
    expect(asked).to.deep.equal({ req: { fromHeight: 5, count: 2 }, by: 0 });
    expect(res.committedHeight).to.equal(77);
    expect(res.blocks.map(encodeBlock)).to.deep.equal(blocks.map(encodeBlock));
    expect(res.proofHeaders.map(encodeBlockHeader)).to.deep.equal(proofHeaders.map(encodeBlockHeader));
    expect(res.proofQc?.round).to.equal(proofQc.round);
  });

  it("a peer that never answers times out, one with no handler fails, and asking oneself is refused", async () => {
    nets[2]!.setRangeRequestHandler(() => new Promise(() => {}));
    const err = await nets[0]!.requestRange(2, { fromHeight: 1, count: 1 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RequestTimeoutError);
    nets[1]!.setRangeRequestHandler(undefined);
    const failed = await nets[0]!.requestRange(1, { fromHeight: 1, count: 1 }).catch((e: unknown) => e);
    expect(failed).to.be.instanceOf(RequestFailedError);
    const self = await nets[0]!.requestRange(0, { fromHeight: 1, count: 1 }).catch((e: unknown) => e);
    expect(self).to.be.instanceOf(UnknownValidatorError);
  });
});
