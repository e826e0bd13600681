import {
  BoundedSet,
  bytesEqual,
  encodeQuorumCert,
  encodeTimeoutCert,
  type QuorumCert,
  sha256,
  type Timeout,
  type TimeoutCert,
  timeoutSigningBytes,
  toHex,
  type Vote,
  voteDataSigningBytes,
} from "@ordo/types";
import { Domain } from "./domain.js";
import { CryptoError } from "./errors.js";
import { verifySignature } from "./keyPair.js";
import { verifyTimeoutSignature, verifyVoteSignature } from "./signing.js";
import type { ValidatorSet } from "./validatorSet.js";

export interface CertificateVerifierOptions {
  chainId: string;
  validators: ValidatorSet;
  /** The genesis QC (round 0, no signatures) is valid only for this block id. */
  genesisBlockId: Uint8Array;
  /** How many verified certificates to remember, so each is checked once however often it arrives. */
  cacheSize?: number;
}

/**
 * Checks quorum and timeout certificates, votes and timeouts against one validator set.
 * A certificate is valid when its signers are distinct members of the set, at least a quorum,
 * and every signature verifies. Checks run cheapest first; signatures last.
 */
export class CertificateVerifier {
  readonly chainId: string;
  readonly validators: ValidatorSet;
  readonly genesisBlockId: Uint8Array;
  readonly #verified: BoundedSet;
  /**
   * Vote signatures already checked (as a vote, or signed by this replica), keyed by signer,
   * signature and signed bytes: a QC built by someone else from the same votes then costs no
   * Ed25519 check. Votes broadcast to everyone make this the common case: each replica verifies
   * the votes, then finds the same signatures, grouped differently, in the next proposal's QC.
   */
  readonly #voteSignatures: BoundedSet;

  constructor(opts: CertificateVerifierOptions) {
    this.chainId = opts.chainId;
    this.validators = opts.validators;
    this.genesisBlockId = opts.genesisBlockId.slice();
    this.#verified = new BoundedSet(opts.cacheSize ?? 4096);
    this.#voteSignatures = new BoundedSet(opts.cacheSize ?? 4096);
  }

  /** Throws a {@link CryptoError} saying what is wrong with the QC; returns when it is valid. */
  verifyQuorumCert(qc: QuorumCert): void {
    if (qc.round === 0) {
      if (bytesEqual(qc.blockId, this.genesisBlockId) && qc.signers.length === 0 && qc.parentRound === 0) return;
      throw new CryptoError("MALFORMED_CERTIFICATE", "a round-0 QC must be the genesis QC");
    }
    if (qc.parentRound >= qc.round) {
      throw new CryptoError("MALFORMED_CERTIFICATE", "a QC's parent round must be below its round", {
        round: qc.round,
      });
    }
    this.#checkSigners(qc.signers, qc.signatures.length);
    const key = qcKey(qc);
    if (this.#verified.has(key)) return;
    const message = voteDataSigningBytes(qc);
    const messageHex = toHex(message);
    qc.signers.forEach((signer, i) => {
      const signature = qc.signatures[i]!;
      const sigKey = voteSignatureKey(signer, signature, messageHex);
      if (this.#voteSignatures.has(sigKey)) return;
      if (!verifySignature(this.validators.publicKey(signer)!, Domain.vote, this.chainId, message, signature)) {
        throw new CryptoError("BAD_SIGNATURE", `QC signature of validator ${signer} does not verify`, {
          round: qc.round,
          signer,
        });
      }
      this.#voteSignatures.add(sigKey);
    });
    this.#verified.add(key);
  }

  /**
   * Records a QC this replica assembled from votes that each passed `verifyVote` (or that it signed
   * itself), so that `verifyQuorumCert` takes it from the cache instead of checking every signature
   * a second time. The cache key covers the signatures: any other QC is still checked in full.
   */
  rememberAssembled(qc: QuorumCert): void {
    this.#checkSigners(qc.signers, qc.signatures.length);
    this.#verified.add(qcKey(qc));
  }

  verifyTimeoutCert(tc: TimeoutCert): void {
    if (tc.highQcRounds.length !== tc.signers.length) {
      throw new CryptoError("MALFORMED_CERTIFICATE", "a TC needs one high-QC round per signer");
    }
    this.#checkSigners(tc.signers, tc.signatures.length);
    const key = `tc:${toHex(sha256(encodeTimeoutCert(tc)))}`;
    if (this.#verified.has(key)) return;
    tc.signers.forEach((signer, i) => {
      const highQcRound = tc.highQcRounds[i]!;
      if (highQcRound >= tc.round) {
        throw new CryptoError("MALFORMED_CERTIFICATE", "a TC's high-QC rounds must be below its round", { signer });
      }
      const message = timeoutSigningBytes(tc.round, highQcRound);
      if (
        !verifySignature(this.validators.publicKey(signer)!, Domain.timeout, this.chainId, message, tc.signatures[i]!)
      ) {
        throw new CryptoError("BAD_SIGNATURE", `TC signature of validator ${signer} does not verify`, {
          round: tc.round,
          signer,
        });
      }
    });
    this.#verified.add(key);
  }

  /** A single vote: a known voter and a good signature. */
  verifyVote(vote: Vote): void {
    const publicKey = this.#member(vote.voter);
    if (!verifyVoteSignature(publicKey, this.chainId, vote)) {
      throw new CryptoError("BAD_SIGNATURE", `vote of validator ${vote.voter} does not verify`, { round: vote.round });
    }
    this.#rememberVoteSignature(vote);
  }

  /**
   * Records a vote this replica signed itself, so that a QC carrying its signature does not check
   * it again. Only for votes made with this replica's own key: nothing about it is verified here.
   */
  rememberOwnVote(vote: Vote): void {
    this.#member(vote.voter);
    this.#rememberVoteSignature(vote);
  }

  #rememberVoteSignature(vote: Vote): void {
    this.#voteSignatures.add(voteSignatureKey(vote.voter, vote.signature, toHex(voteDataSigningBytes(vote))));
  }

  /** A single timeout: a known sender, a good signature, and a valid high QC below the round. */
  verifyTimeout(t: Timeout): void {
    const publicKey = this.#member(t.sender);
    if (t.highQc.round >= t.round) {
      throw new CryptoError("MALFORMED_CERTIFICATE", "a timeout's high QC must be below its round", { round: t.round });
    }
    if (!verifyTimeoutSignature(publicKey, this.chainId, t)) {
      throw new CryptoError("BAD_SIGNATURE", `timeout of validator ${t.sender} does not verify`, { round: t.round });
    }
    this.verifyQuorumCert(t.highQc);
  }

  isValidQuorumCert(qc: QuorumCert): boolean {
    return succeeds(() => this.verifyQuorumCert(qc));
  }

  isValidTimeoutCert(tc: TimeoutCert): boolean {
    return succeeds(() => this.verifyTimeoutCert(tc));
  }

  #member(index: number): Uint8Array {
    const publicKey = this.validators.has(index) ? this.validators.publicKey(index) : undefined;
    if (!publicKey) throw new CryptoError("UNKNOWN_SIGNER", `validator ${index} is not in the validator set`);
    return publicKey;
  }

  #checkSigners(signers: readonly number[], signatureCount: number): void {
    if (signers.length !== signatureCount) {
      throw new CryptoError("MALFORMED_CERTIFICATE", "a certificate needs exactly one signature per signer");
    }
    const seen = new Set<number>();
    let previous = -1;
    for (const signer of signers) {
      if (seen.has(signer)) throw new CryptoError("DUPLICATE_SIGNER", `validator ${signer} signed twice`, { signer });
      seen.add(signer);
      if (!this.validators.has(signer)) {
        throw new CryptoError("UNKNOWN_SIGNER", `validator ${signer} is not in the validator set`, { signer });
      }
      // The canonical form lists signers in ascending order; anything else has no encoding.
      if (signer < previous) throw new CryptoError("MALFORMED_CERTIFICATE", "signers must be in ascending order");
      previous = signer;
    }
    if (seen.size < this.validators.quorum) {
      throw new CryptoError("BELOW_QUORUM", `${seen.size} signers, quorum is ${this.validators.quorum}`, {
        signers: seen.size,
        quorum: this.validators.quorum,
      });
    }
  }
}

function voteSignatureKey(signer: number, signature: Uint8Array, messageHex: string): string {
  return `${signer}:${toHex(signature)}:${messageHex}`;
}

function qcKey(qc: QuorumCert): string {
  return `qc:${toHex(sha256(encodeQuorumCert(qc)))}`;
}

function succeeds(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof CryptoError) return false;
    throw err;
  }
}
