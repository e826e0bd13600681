import { StreamState, YamuxStream } from "@libp2p/yamux/stream";

/**
 * js-libp2p's yamux (8.0.3) answers every data frame it receives with a window-update frame, so
 * each consensus message costs a second frame back (encrypted, written, read, decoded): ~6 % of a
 * validator's CPU at low load. go-yamux and rust-yamux only send an update once at least half of
 * the receive window has been consumed; this does the same for established streams. It cannot
 * stall a sender: each data frame received checks again, and an update goes out as soon as less
 * than half a window is left, long before the sender runs out of credit.
 *
 * The fields read here are yamux internals: `installed` fails loudly at start-up (and the network
 * tests with it) if a new version renames them, rather than silently keeping the old cost.
 */
interface WindowFields {
  state: StreamState;
  recvWindow: number;
  recvWindowCapacity: number;
}

let installed = false;

export function installYamuxWindowHysteresis(): void {
  if (installed) return;
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate?: () => void };
  const original = proto.sendWindowUpdate;
  if (typeof original !== "function") throw new Error("@libp2p/yamux: YamuxStream.sendWindowUpdate not found");
  proto.sendWindowUpdate = function sendWindowUpdate(this: WindowFields) {
    // Opening (SYN/ACK) and paused streams keep yamux's own handling.
    if (this.state === StreamState.Established) {
      if (typeof this.recvWindow !== "number" || typeof this.recvWindowCapacity !== "number")
        throw new Error("@libp2p/yamux: YamuxStream window fields not found");
      if (this.recvWindowCapacity * 2 > this.recvWindow) return;
    }
    original.call(this);
  };
  installed = true;
}
