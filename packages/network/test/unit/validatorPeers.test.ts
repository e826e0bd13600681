import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { multiaddr } from "@multiformats/multiaddr";
import { CodecError } from "@ordo/types";
import { expect } from "chai";
import { libp2pPrivateKey, peerIdFromValidatorKey, ValidatorPeers } from "../../src/index.js";
import { decodeValidatorAddresses, encodeValidatorAddresses } from "../../src/peerExchange.js";
import { makeKeys, validatorSetOf } from "./helpers.js";

describe("validator peer ids", () => {
  const keys = makeKeys(4);
  const peers = new ValidatorPeers(validatorSetOf(keys));

  it("derives the libp2p peer id from the validator's Ed25519 key, the same from either half", () => {
    for (const key of keys) {
      expect(peerIdFromPrivateKey(libp2pPrivateKey(key)).toString()).to.equal(
        peerIdFromValidatorKey(key.publicKey).toString(),
      );
    }
  });

  it("maps indices to peer ids and back; non-validators are -1", () => {
    for (const [i, id] of peers.entries()) {
      expect(peers.indexOf(id)).to.equal(i);
      expect(peers.indexOf(id.toString())).to.equal(i);
      expect(peers.peerId(i)!.equals(id)).to.equal(true);
    }
    const stranger = peerIdFromValidatorKey(makeKeys(1, 50)[0]!.publicKey);
    expect(peers.indexOf(stranger)).to.equal(-1);
    expect(peers.isValidator(stranger)).to.equal(false);
    expect(peers.peerId(4)).to.equal(undefined);
  });

  it("peer exchange entries round-trip and are checked on decode", () => {
    const entries = [
      { validator: 1, addresses: [multiaddr("/ip4/127.0.0.1/tcp/4001")] },
      { validator: 3, addresses: [multiaddr("/ip4/10.0.0.1/tcp/1"), multiaddr("/ip6/::1/tcp/2")] },
    ];
    const back = decodeValidatorAddresses(encodeValidatorAddresses(entries), 4);
    expect(back.map((e) => [e.validator, e.addresses.map(String)])).to.deep.equal(
      entries.map((e) => [e.validator, e.addresses.map(String)]),
    );
    expect(() => decodeValidatorAddresses(encodeValidatorAddresses(entries), 3)).to.throw(CodecError);
    const bytes = encodeValidatorAddresses(entries);
    expect(() => decodeValidatorAddresses(bytes.subarray(0, bytes.length - 1), 4)).to.throw(CodecError);
  });
});
