export { Reader } from "./reader.js";
export { Writer } from "./writer.js";
export { readSigners, writeSigners } from "./signers.js";
