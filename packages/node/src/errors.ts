import { OrdoError } from "@ordo/types";

export type ConfigErrorCode = "MISSING_FILE" | "INVALID_JSON" | "INVALID_CONFIG" | "INVALID_GENESIS" | "INVALID_KEY";

/** A node cannot start from its home folder; the message says which file and which field. */
export class ConfigError extends OrdoError<ConfigErrorCode> {}
