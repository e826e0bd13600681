export {
  createApp,
  decodeKvOp,
  decodeScan,
  deleteOp,
  KvApp,
  KvCode,
  type KvOp,
  MAX_KEY_BYTES,
  MAX_NONCE_AHEAD,
  MAX_SCAN,
  MAX_VALUE_BYTES,
  setOp,
} from "./kvApp.js";
