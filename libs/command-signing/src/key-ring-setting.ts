import { z } from 'zod';
import { parseKeyRing } from './key-ring.js';
import { SigningKeyError } from './signing-key.js';

/**
 * A key ring as a setting (`<keyId>:<base64 seed>[,…]`), checked by parsing it; the text is
 * kept, since it is a secret the service parses once more where it uses it.
 */
export const keyRingSetting = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    try {
      parseKeyRing(text);
    } catch (err) {
      if (!(err instanceof SigningKeyError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  });
