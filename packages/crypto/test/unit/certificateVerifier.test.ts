import { expect } from "chai";
import { genesisQuorumCert, sha256, type TimeoutCert } from "@ordo/types";
import { CertificateVerifier, CryptoError, type CryptoErrorCode, signTimeout, signVote } from "../../src/index.js";
import { CHAIN, committee, GENESIS_ID, genesisQc, makeQc, voteData } from "./fixtures.js";

function expectCryptoError(fn: () => void, code: CryptoErrorCode): void {
  expect(fn).to.throw(CryptoError).with.property("code", code);
}

describe("CertificateVerifier: quorum certificates", () => {
  const { keys, verifier, validators } = committee(4);
  const data = voteData(7);

  it("accepts a QC signed by a quorum of distinct validators", () => {
    expect(validators.quorum).to.equal(3);
    expect(() => verifier.verifyQuorumCert(makeQc(keys, [0, 1, 2], data))).to.not.throw();
    expect(() => verifier.verifyQuorumCert(makeQc(keys, [0, 1, 2, 3], data))).to.not.throw();
    expect(() => verifier.verifyQuorumCert(makeQc(keys, [1, 2, 3], data))).to.not.throw();
  });

  it("rememberAssembled: that exact QC then passes without its signatures being checked; any other QC is still checked", () => {
    const fresh = committee(4);
    const qc = makeQc(fresh.keys, [0, 1, 2], voteData(9));
    // A corrupted copy stands in for "not checked": remembered, it passes from the cache.
    const signatures = qc.signatures.map((s) => s.slice());
    signatures[1]![3]! ^= 0x01;
    const remembered = { ...qc, signatures };
    fresh.verifier.rememberAssembled(remembered);
    expect(() => fresh.verifier.verifyQuorumCert(remembered)).to.not.throw();
    // Another corruption of the same QC is not the remembered one.
    const other = qc.signatures.map((s) => s.slice());
    other[2]![3]! ^= 0x01;
    expectCryptoError(() => fresh.verifier.verifyQuorumCert({ ...qc, signatures: other }), "BAD_SIGNATURE");
    // Structure is still checked when remembering.
    expectCryptoError(() => fresh.verifier.rememberAssembled({ ...qc, signers: [0, 1] }), "MALFORMED_CERTIFICATE");
    expectCryptoError(() => fresh.verifier.rememberAssembled(makeQc(fresh.keys, [0, 1], voteData(9))), "BELOW_QUORUM");
  });

  it("a vote signature already known (own vote) is not checked again in any QC that carries it; nothing else is skipped", () => {
    const fresh = committee(4);
    const data9 = voteData(9);
    const qc = makeQc(fresh.keys, [0, 1, 2, 3], data9);
    // A corrupted "own vote" stands in for "not checked": remembered, a QC carrying it passes.
    const corrupted = qc.signatures[1]!.slice();
    corrupted[5]! ^= 0x01;
    fresh.verifier.rememberOwnVote({ ...data9, voter: 1, signature: corrupted });
    const withRemembered = (signers: number[]) => ({
      ...data9,
      signers,
      signatures: signers.map((s) => (s === 1 ? corrupted : qc.signatures[s]!)),
    });
    expect(() => fresh.verifier.verifyQuorumCert(withRemembered([0, 1, 2]))).to.not.throw();
    expect(() => fresh.verifier.verifyQuorumCert(withRemembered([1, 2, 3]))).to.not.throw();
    // Bound to the signer: the same bytes under another signer are checked (and fail).
    const asSigner2 = { ...data9, signers: [0, 1, 2], signatures: [qc.signatures[0]!, qc.signatures[1]!, corrupted] };
    expectCryptoError(() => fresh.verifier.verifyQuorumCert(asSigner2), "BAD_SIGNATURE");
    // Bound to the signed bytes: the same signature on other vote data is checked (and fails).
    const data10 = voteData(10);
    const qc10 = makeQc(fresh.keys, [0, 1, 2], data10);
    const other = { ...qc10, signatures: [qc10.signatures[0]!, corrupted, qc10.signatures[2]!] };
    expectCryptoError(() => fresh.verifier.verifyQuorumCert(other), "BAD_SIGNATURE");
    expectCryptoError(
      () => fresh.verifier.rememberOwnVote({ ...data9, voter: 7, signature: corrupted }),
      "UNKNOWN_SIGNER",
    );
  });

  it("verifyVote remembers only a signature that verified", () => {
    const fresh = committee(4);
    const data9 = voteData(9);
    const qc = makeQc(fresh.keys, [0, 1, 2], data9);
    const bad = qc.signatures[0]!.slice();
    bad[7]! ^= 0x01;
    expectCryptoError(() => fresh.verifier.verifyVote({ ...data9, voter: 0, signature: bad }), "BAD_SIGNATURE");
    const withBad = { ...qc, signatures: [bad, qc.signatures[1]!, qc.signatures[2]!] };
    expectCryptoError(() => fresh.verifier.verifyQuorumCert(withBad), "BAD_SIGNATURE");
  });

  it("rejects a duplicate signer", () => {
    const qc = makeQc(keys, [0, 1, 2], data);
    const dup = { ...qc, signers: [0, 1, 1], signatures: [qc.signatures[0]!, qc.signatures[1]!, qc.signatures[1]!] };
    expectCryptoError(() => verifier.verifyQuorumCert(dup), "DUPLICATE_SIGNER");
  });

  it("rejects an unknown signer", () => {
    const outsider = committee(6).keys[5]!;
    const qc = makeQc(keys, [0, 1], data);
    const withOutsider = {
      ...qc,
      signers: [0, 1, 5],
      signatures: [...qc.signatures, signVote(outsider, CHAIN, data, 5).signature],
    };
    expectCryptoError(() => verifier.verifyQuorumCert(withOutsider), "UNKNOWN_SIGNER");
  });

  it("rejects a QC below quorum", () => {
    expectCryptoError(() => verifier.verifyQuorumCert(makeQc(keys, [0, 3], data)), "BELOW_QUORUM");
    expectCryptoError(() => verifier.verifyQuorumCert(makeQc(keys, [], data)), "BELOW_QUORUM");
  });

  it("rejects a QC with one bad signature, in any position", () => {
    for (let pos = 0; pos < 3; pos++) {
      const qc = makeQc(keys, [0, 1, 2], data);
      const signatures = qc.signatures.map((s) => s.slice());
      signatures[pos]![5]! ^= 0x10;
      expectCryptoError(() => verifier.verifyQuorumCert({ ...qc, signatures }), "BAD_SIGNATURE");
    }
  });

  it("rejects a signature moved to another signer, a QC for other data, and one from another chain", () => {
    const qc = makeQc(keys, [0, 1, 2], data);
    const swapped = { ...qc, signatures: [qc.signatures[1]!, qc.signatures[0]!, qc.signatures[2]!] };
    expectCryptoError(() => verifier.verifyQuorumCert(swapped), "BAD_SIGNATURE");
    expectCryptoError(() => verifier.verifyQuorumCert({ ...qc, round: 8, parentRound: 6 }), "BAD_SIGNATURE");
    expectCryptoError(() => verifier.verifyQuorumCert(makeQc(keys, [0, 1, 2], data, "other-chain")), "BAD_SIGNATURE");
  });

  it("rejects a mismatched signature count and a parent round not below the round", () => {
    const qc = makeQc(keys, [0, 1, 2], data);
    expectCryptoError(
      () => verifier.verifyQuorumCert({ ...qc, signatures: qc.signatures.slice(1) }),
      "MALFORMED_CERTIFICATE",
    );
    expectCryptoError(() => verifier.verifyQuorumCert({ ...qc, parentRound: qc.round }), "MALFORMED_CERTIFICATE");
  });

  it("accepts the genesis QC only for the genesis block", () => {
    expect(() => verifier.verifyQuorumCert(genesisQc)).to.not.throw();
    expectCryptoError(
      () => verifier.verifyQuorumCert(genesisQuorumCert(sha256(new Uint8Array([9])))),
      "MALFORMED_CERTIFICATE",
    );
    const fake = { ...makeQc(keys, [0], { ...data, round: 0, parentRound: 0 }), blockId: GENESIS_ID };
    expectCryptoError(() => verifier.verifyQuorumCert(fake), "MALFORMED_CERTIFICATE");
  });

  it("verifies a valid certificate once and answers from its cache afterwards, never caching an invalid one", () => {
    const fresh = new CertificateVerifier({ chainId: CHAIN, validators, genesisBlockId: GENESIS_ID, cacheSize: 2 });
    const qc = makeQc(keys, [0, 1, 2], data);
    const bad = { ...qc, signatures: qc.signatures.map((s, i) => (i === 2 ? new Uint8Array(64) : s)) };
    expect(fresh.isValidQuorumCert(bad)).to.equal(false);
    expect(fresh.isValidQuorumCert(bad)).to.equal(false);
    expect(fresh.isValidQuorumCert(qc)).to.equal(true);
    // A cached entry is keyed by the whole encoding: a changed signature is checked again.
    expect(
      fresh.isValidQuorumCert({ ...qc, signatures: [qc.signatures[0]!, qc.signatures[1]!, new Uint8Array(64)] }),
    ).to.equal(false);
    expect(fresh.isValidQuorumCert(qc)).to.equal(true);
  });
});

describe("CertificateVerifier: votes, timeouts and timeout certificates", () => {
  const { keys, verifier } = committee(4);
  const highQc = makeQc(keys, [0, 1, 2], voteData(4));

  function makeTc(round: number, signers: number[], highQcRounds: number[]): TimeoutCert {
    return {
      round,
      signers,
      highQcRounds,
      signatures: signers.map(
        (s, i) => signTimeout(keys[s]!, CHAIN, round, { ...highQc, round: highQcRounds[i]! }, s).signature,
      ),
    };
  }

  it("verifies a vote and rejects one from an unknown voter or with a bad signature", () => {
    const vote = signVote(keys[1]!, CHAIN, voteData(5), 1);
    expect(() => verifier.verifyVote(vote)).to.not.throw();
    expectCryptoError(() => verifier.verifyVote({ ...vote, voter: 2 }), "BAD_SIGNATURE");
    expectCryptoError(() => verifier.verifyVote({ ...vote, voter: 4 }), "UNKNOWN_SIGNER");
    expectCryptoError(() => verifier.verifyVote({ ...vote, round: 6 }), "BAD_SIGNATURE");
  });

  it("verifies a timeout including its high QC", () => {
    const t = signTimeout(keys[3]!, CHAIN, 6, highQc, 3);
    expect(() => verifier.verifyTimeout(t)).to.not.throw();
    expectCryptoError(() => verifier.verifyTimeout({ ...t, round: 7 }), "BAD_SIGNATURE");
    const badQc = { ...highQc, signatures: [highQc.signatures[0]!, highQc.signatures[0]!, highQc.signatures[2]!] };
    expectCryptoError(() => verifier.verifyTimeout(signTimeout(keys[3]!, CHAIN, 6, badQc, 3)), "BAD_SIGNATURE");
    expectCryptoError(
      () => verifier.verifyTimeout(signTimeout(keys[3]!, CHAIN, 4, highQc, 3)),
      "MALFORMED_CERTIFICATE",
    );
  });

  it("accepts a TC from a quorum, each signer with its own high-QC round", () => {
    expect(() => verifier.verifyTimeoutCert(makeTc(9, [0, 2, 3], [4, 8, 1]))).to.not.throw();
  });

  it("rejects a TC with a duplicate signer, an unknown signer, below quorum, or one bad signature", () => {
    const tc = makeTc(9, [0, 1, 2], [4, 4, 4]);
    expectCryptoError(
      () =>
        verifier.verifyTimeoutCert({
          ...tc,
          signers: [0, 0, 2],
          highQcRounds: [4, 4, 4],
          signatures: [tc.signatures[0]!, tc.signatures[0]!, tc.signatures[2]!],
        }),
      "DUPLICATE_SIGNER",
    );
    expectCryptoError(() => verifier.verifyTimeoutCert({ ...tc, signers: [0, 1, 7] }), "UNKNOWN_SIGNER");
    expectCryptoError(() => verifier.verifyTimeoutCert(makeTc(9, [0, 1], [4, 4])), "BELOW_QUORUM");
    // A signer's high-QC round is part of what it signed: changing it breaks its signature.
    expectCryptoError(() => verifier.verifyTimeoutCert({ ...tc, highQcRounds: [4, 5, 4] }), "BAD_SIGNATURE");
    expectCryptoError(() => verifier.verifyTimeoutCert({ ...tc, round: 10 }), "BAD_SIGNATURE");
    expectCryptoError(() => verifier.verifyTimeoutCert(makeTc(9, [0, 1, 2], [4, 9, 4])), "MALFORMED_CERTIFICATE");
  });
});
