import { randomBytes } from 'node:crypto';

const MAX_LENGTH = 63;
const SUFFIX_LENGTH = 9; // separator + 8 hex digits

const randomHex = () => randomBytes(4).toString('hex');

/**
 * `prefix_<8 random hex>`, lower-case, at most 63 characters: a valid unquoted PostgreSQL
 * identifier (schema, table, role), JetStream stream/consumer/durable name and NATS subject
 * token. Characters outside [a-z0-9_] become `_`; a name never starts with a digit.
 * Not an S3 bucket name (no `_` allowed there): use uniqueBucketName.
 */
export function uniqueName(prefix = 't'): string {
  let base = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_]/.test(base)) base = `n${base}`;
  return `${base.slice(0, MAX_LENGTH - SUFFIX_LENGTH)}_${randomHex()}`;
}

/**
 * `prefix-<8 random hex>`: a valid S3 bucket name (3–63 characters of [a-z0-9-], starting with
 * a letter or digit). Runs of other characters become one `-`.
 */
export function uniqueBucketName(prefix = 'test'): string {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_LENGTH - SUFFIX_LENGTH)
    .replace(/^-+|-+$/g, '');
  return base ? `${base}-${randomHex()}` : `b${randomHex()}`;
}
