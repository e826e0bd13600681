export { CertificateVerifier, type CertificateVerifierOptions } from "./certificateVerifier.js";
export { Domain, domainPrefix, signingPayload } from "./domain.js";
export { SECRET_KEY_LENGTH, SEED_LENGTH, signDetached, verifyDetached } from "./ed25519.js";
export { type CryptoErrorCode, CryptoError } from "./errors.js";
export { KeyPair, type KeyPairJson, verifySignature } from "./keyPair.js";
export * from "./signing.js";
export { type ValidatorInfo, ValidatorSet } from "./validatorSet.js";
export { sha256 } from "@ordo/types";
export { type VerificationItem, VerificationPool, type VerificationPoolOptions } from "./verificationPool.js";
