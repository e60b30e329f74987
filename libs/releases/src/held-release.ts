import type { SignedRelease } from './release-document.schema.js';

/**
 * What a machine remembers of the release it runs (for the same image and architecture), so
 * that an older document or release is refused as 'rollback'.
 */
export interface HeldRelease {
  /** The sequence of the release it runs. */
  sequence?: number;
  /** The highest rollbackFloor it has accepted: it never installs a sequence below it. */
  floor?: number;
  /** When the document it holds for `sequence` was issued; needs `sequence`. */
  issuedAt?: string;
}

/**
 * What to remember after installing (or accepting the re-issued document of) `signed`: its
 * sequence and issuedAt, and the higher of the floors, so that a floor is never lowered.
 */
export function heldAfter(signed: SignedRelease, held: HeldRelease = {}): Required<HeldRelease> {
  return {
    sequence: signed.sequence,
    floor: Math.max(held.floor ?? 0, signed.rollbackFloor),
    issuedAt: signed.issuedAt,
  };
}
