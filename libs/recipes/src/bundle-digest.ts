import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { BundledRecipe } from './recipe-bundle.schema.js';

/**
 * The recipe digest: SHA-256 (hex) of the bundled recipe's canonical JSON. The recipe names each
 * file it copies by the SHA-256 of its bytes, so the digest covers them; it holds no path of the
 * operator's machine, so the same recipe in another directory has the same digest.
 */
export function bundleDigest(recipe: BundledRecipe): string {
  return createHash('sha256').update(canonicalJson(recipe)).digest('hex');
}
