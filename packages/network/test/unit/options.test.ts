import { expect } from "chai";
import { defaultNetworkOptions, InvalidNetworkOptionsError, validateNetworkOptions } from "../../src/index.js";

describe("network options", () => {
  it("fills defaults: loopback listen, no bootstrap, mDNS off", () => {
    const o = validateNetworkOptions({ chainId: "ordo-1" });
    expect(o.listenAddresses).to.deep.equal(defaultNetworkOptions.listenAddresses);
    expect(o.mdns).to.equal(false);
    expect(o.bootstrap).to.deep.equal([]);
    expect(o.coalesce).to.equal(true);
    expect(o.limits.maxTxBytes).to.be.greaterThan(0);
  });

  it("names the bad option", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ chainId: "" }, /chainId/],
      [{ chainId: "a/b" }, /chainId/],
      [{ chainId: "c", maxFrameBytes: 0 }, /maxFrameBytes/],
      [{ chainId: "c", requestTimeoutMs: 1.5 }, /requestTimeoutMs/],
      [{ chainId: "c", banScore: 5 }, /banScore/],
      [{ chainId: "c", listenAddresses: [] }, /listenAddresses/],
      [{ chainId: "c", listenAddresses: ["tcp:1"] }, /listenAddresses/],
      [{ chainId: "c", bootstrap: ["/ip4/127.0.0.1/tcp/1"] }, /p2p/],
    ];
    for (const [opts, message] of bad) {
      expect(() => validateNetworkOptions(opts as never), JSON.stringify(opts))
        .to.throw(InvalidNetworkOptionsError)
        .with.property("message")
        .that.matches(message);
    }
  });
});
