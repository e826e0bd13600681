import { Reader } from "../codec/reader.js";
import { Writer } from "../codec/writer.js";
import { CodecError } from "../errors.js";
import { type CodecLimits, defaultLimits } from "../limits.js";
import { type Block, readBlock, writeBlock } from "./block.js";
import {
  type BlockRequest,
  type BlockResponse,
  readBlockRequest,
  readBlockResponse,
  writeBlockRequest,
  writeBlockResponse,
} from "./blockFetch.js";
import { readSyncInfo, type SyncInfo, writeSyncInfo } from "./syncInfo.js";
import { readTimeout, type Timeout, writeTimeout } from "./timeout.js";
import { readVote, type Vote, writeVote } from "./vote.js";

/** Every message validators exchange, as one tagged union (the tag is the first byte on the wire). */
export type ConsensusMessage =
  | { kind: "proposal"; block: Block }
  | { kind: "vote"; vote: Vote }
  | { kind: "timeout"; timeout: Timeout }
  | { kind: "syncInfo"; syncInfo: SyncInfo }
  | { kind: "blockRequest"; request: BlockRequest }
  | { kind: "blockResponse"; response: BlockResponse };

export type ConsensusMessageKind = ConsensusMessage["kind"];

export const MessageTag = {
  proposal: 1,
  vote: 2,
  timeout: 3,
  syncInfo: 4,
  blockRequest: 5,
  blockResponse: 6,
} as const satisfies Record<ConsensusMessageKind, number>;

export function writeConsensusMessage(w: Writer, m: ConsensusMessage): void {
  w.u8(MessageTag[m.kind]);
  switch (m.kind) {
    case "proposal":
      writeBlock(w, m.block);
      return;
    case "vote":
      writeVote(w, m.vote);
      return;
    case "timeout":
      writeTimeout(w, m.timeout);
      return;
    case "syncInfo":
      writeSyncInfo(w, m.syncInfo);
      return;
    case "blockRequest":
      writeBlockRequest(w, m.request);
      return;
    case "blockResponse":
      writeBlockResponse(w, m.response);
      return;
    default:
      throw new CodecError("BAD_TAG", `unknown message kind ${(m as { kind: string }).kind}`);
  }
}

export function readConsensusMessage(r: Reader, limits: CodecLimits): ConsensusMessage {
  const tag = r.u8("message tag");
  switch (tag) {
    case MessageTag.proposal:
      return { kind: "proposal", block: readBlock(r, limits) };
    case MessageTag.vote:
      return { kind: "vote", vote: readVote(r, limits) };
    case MessageTag.timeout:
      return { kind: "timeout", timeout: readTimeout(r, limits) };
    case MessageTag.syncInfo:
      return { kind: "syncInfo", syncInfo: readSyncInfo(r, limits) };
    case MessageTag.blockRequest:
      return { kind: "blockRequest", request: readBlockRequest(r, limits) };
    case MessageTag.blockResponse:
      return { kind: "blockResponse", response: readBlockResponse(r, limits) };
    default:
      throw new CodecError("BAD_TAG", `unknown consensus message tag ${tag}`, { tag });
  }
}

export function encodeConsensusMessage(m: ConsensusMessage): Uint8Array {
  const w = new Writer(m.kind === "proposal" || m.kind === "blockResponse" ? 4096 : 512);
  writeConsensusMessage(w, m);
  return w.finish();
}

export function decodeConsensusMessage(bytes: Uint8Array, limits: CodecLimits = defaultLimits): ConsensusMessage {
  if (bytes.length > limits.maxMessageBytes) {
    throw new CodecError("TOO_LARGE", `message of ${bytes.length} bytes exceeds ${limits.maxMessageBytes}`);
  }
  const r = new Reader(bytes);
  const m = readConsensusMessage(r, limits);
  r.end();
  return m;
}
