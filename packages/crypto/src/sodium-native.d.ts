// The slice of sodium-native Ordo uses. Its published @types target Buffer only; the addon
// accepts any Uint8Array, which is what Ordo passes.
declare module "sodium-native" {
  const sodium: {
    crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void;
    crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
    randombytes_buf(buffer: Uint8Array): void;
  };
  export default sodium;
}
