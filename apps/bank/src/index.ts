export {
  type Account,
  BankApp,
  BankCode,
  type BankGenesis,
  BankGenesisError,
  createApp,
  MAX_NONCE_AHEAD,
} from "./bankApp.js";
export { type BankOp, decodePayload, decodeU128, encodeU128, MAX_AMOUNT, transfer } from "./payload.js";
