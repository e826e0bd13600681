/**
 * Result codes shared by every app. 0 is success; 1-99 are reserved for Ordo; an app numbers its
 * own rejections from 100 (and says what each means).
 */
export const Code = {
  OK: 0,
  /** The payload does not decode under the app's encoding. */
  BAD_PAYLOAD: 1,
  /** The payload names an operation the app does not know. */
  UNKNOWN_OPERATION: 2,
  /** The app threw: a bug in the app, reported instead of crashing the node. */
  INTERNAL: 3,
  /** Query path not known. */
  UNKNOWN_QUERY: 4,
} as const;
