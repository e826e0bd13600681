/** JSON schemas for request validation (Fastify compiles them with Ajv). */

const base64 = { type: "string", pattern: "^[A-Za-z0-9+/]*={0,2}$" } as const;
const hash = { type: "string", pattern: "^[0-9a-fA-F]{64}$" } as const;

export const submitTxSchema = {
  body: {
    type: "object",
    required: ["tx"],
    additionalProperties: false,
    properties: { tx: { ...base64, minLength: 4 } },
  },
} as const;

export const submitTxsSchema = (maxTxs: number) =>
  ({
    body: {
      type: "object",
      required: ["txs"],
      additionalProperties: false,
      properties: { txs: { type: "array", minItems: 1, maxItems: maxTxs, items: { ...base64, minLength: 4 } } },
    },
  }) as const;

export const txIdSchema = {
  params: { type: "object", required: ["id"], properties: { id: hash } },
} as const;

export const heightSchema = {
  params: {
    type: "object",
    required: ["height"],
    properties: { height: { type: "string", pattern: "^[0-9]{1,15}$" } },
  },
} as const;

export const querySchema = {
  querystring: {
    type: "object",
    required: ["path"],
    additionalProperties: false,
    properties: { path: { type: "string", minLength: 1, maxLength: 256 }, data: { ...base64, maxLength: 65536 } },
  },
} as const;
