import type { z } from 'zod';
import {
  MAX_RELEASE_DOCUMENT_BYTES,
  releaseDocumentSchema,
  type ReleaseDocument,
} from './release-document.schema.js';
import { ReleaseRefusedError } from './release-refusal.js';

const MAX_ISSUES_NAMED = 5;

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const named = issues
    .slice(0, MAX_ISSUES_NAMED)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(document)'}: ${i.message}`);
  const more = issues.length - named.length;
  return named.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/**
 * The document's shape, nothing trusted yet: the size first (so endless data costs at most
 * `maxBytes`), then UTF-8, JSON and the schema.
 */
export function decodeRelease(bytes: Uint8Array, maxBytes = MAX_RELEASE_DOCUMENT_BYTES): ReleaseDocument {
  if (bytes.length > maxBytes)
    throw new ReleaseRefusedError('too-large', `the document is ${bytes.length} bytes, over ${maxBytes}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ReleaseRefusedError('malformed', `not UTF-8 JSON: ${(err as Error).message}`);
  }
  const parsed = releaseDocumentSchema.safeParse(value);
  if (!parsed.success) throw new ReleaseRefusedError('malformed', describeIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * Reads a document's bytes from a stream (an HTTP body), refusing 'too-large' as soon as more
 * than `maxBytes` arrived: the rest is never read.
 */
export async function readReleaseBytes(
  source: AsyncIterable<Uint8Array>,
  maxBytes = MAX_RELEASE_DOCUMENT_BYTES,
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of source) {
    total += part.length;
    if (total > maxBytes)
      throw new ReleaseRefusedError('too-large', `the document is over ${maxBytes} bytes (still coming)`);
    parts.push(part);
  }
  return Buffer.concat(parts);
}
