// libp2p 3 calls Promise.withResolvers, which Node 20 lacks (it arrived in Node 22).
// Every Ordo entry point and the test runner import this module before anything else.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
