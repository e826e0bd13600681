import { defaultCrypto } from "@chainsafe/libp2p-noise/crypto";
import { expect } from "chai";
import { SeededRandom } from "@ordo/types/testing";
import { SODIUM_MAX_AEAD_BYTES, sodiumNoiseCrypto } from "../../src/noiseCrypto.js";

type Bytes = Parameters<typeof defaultCrypto.chaCha20Poly1305Encrypt>[0];
const flat = (b: Uint8Array | { subarray(): Uint8Array }) => Buffer.from(b.subarray());

describe("sodiumNoiseCrypto (noise's ChaCha20-Poly1305 through libsodium)", () => {
  const rng = new SeededRandom(41);
  const k = rng.bytes(32);
  const nonce = rng.bytes(12);
  const sizes = [0, 1, 100, 1199, 1200, 4000, SODIUM_MAX_AEAD_BYTES - 1, SODIUM_MAX_AEAD_BYTES, 20_000];

  it("seals exactly as noise's default, and each opens the other's, on both sides of the switch", () => {
    for (const ad of [new Uint8Array(0), rng.bytes(32)]) {
      for (const size of sizes) {
        const plaintext = rng.bytes(size);
        const ours = flat(sodiumNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k));
        const theirs = flat(defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k));
        expect(ours.equals(theirs), `size ${size}`).to.equal(true);
        expect(flat(sodiumNoiseCrypto.chaCha20Poly1305Decrypt(theirs, nonce, ad, k)).equals(plaintext)).to.equal(true);
        expect(flat(defaultCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k)).equals(plaintext)).to.equal(true);
      }
    }
  });

  it("decrypts in place into the dst noise passes (the ciphertext's own bytes), and takes a chunk list", () => {
    const ad = new Uint8Array(0);
    const plaintext = rng.bytes(500);
    const sealed = flat(sodiumNoiseCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k));
    const dst = sealed.subarray(0, sealed.length - 16);
    const opened = sodiumNoiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, k, dst);
    expect(opened).to.equal(dst);
    expect(Buffer.from(dst).equals(plaintext)).to.equal(true);
    // A Uint8ArrayList-like input: only byteLength and subarray() are used.
    const list = { byteLength: plaintext.length, subarray: () => plaintext } as unknown as Bytes;
    const fromList = flat(sodiumNoiseCrypto.chaCha20Poly1305Encrypt(list, nonce, ad, k));
    expect(fromList.equals(flat(defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)))).to.equal(true);
  });

  it("refuses a tampered ciphertext, a wrong key or nonce, and one shorter than its tag", () => {
    const ad = new Uint8Array(0);
    const sealed = flat(sodiumNoiseCrypto.chaCha20Poly1305Encrypt(rng.bytes(300), nonce, ad, k));
    const tampered = Buffer.from(sealed);
    tampered[7]! ^= 1;
    const open =
      (c: Uint8Array, n = nonce, key = k) =>
      () =>
        sodiumNoiseCrypto.chaCha20Poly1305Decrypt(c, n, ad, key);
    expect(open(tampered)).to.throw(/Invalid chacha20poly1305 decryption/);
    expect(open(sealed, rng.bytes(12))).to.throw(/Invalid chacha20poly1305 decryption/);
    expect(open(sealed, nonce, rng.bytes(32))).to.throw(/Invalid chacha20poly1305 decryption/);
    expect(open(sealed.subarray(0, 10))).to.throw(/Invalid chacha20poly1305 decryption/);
  });
});
