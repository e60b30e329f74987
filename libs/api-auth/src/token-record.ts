import { z } from 'zod';

/** What the API_TOKENS bucket keeps under `token.<tokenId>`: never the secret itself. */
export const tokenRecordSchema = z.object({
  tokenId: z.string().regex(/^[0-9a-f]{16}$/),
  name: z.string().min(1).max(100),
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  revokedBy: z.string().nullable(),
});
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeRecord(record: TokenRecord): Uint8Array {
  return encoder.encode(JSON.stringify(tokenRecordSchema.parse(record)));
}

/** The record a bucket value holds, or undefined when it is not one (logged by the caller). */
export function decodeRecord(data: Uint8Array): TokenRecord | undefined {
  try {
    const parsed = tokenRecordSchema.safeParse(JSON.parse(decoder.decode(data)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A token's name: what an audit entry shows as `operator:<name>`. */
export const tokenNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'must be 1–100 letters, digits, ".", "_", "@" or "-"');
