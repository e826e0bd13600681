export { Reader } from "./reader.js";
export { pooledBytes, Writer } from "./writer.js";
export { readSigners, writeSigners } from "./signers.js";
