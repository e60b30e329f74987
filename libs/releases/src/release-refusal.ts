/** Why a release document or a manifest it names was refused; callers count refusals by these. */
export const RELEASE_REFUSAL_REASONS = [
  'too-large',
  'malformed',
  'unsigned',
  'unknown-key',
  'bad-signature',
  'expired',
  'rollback',
  'mix-and-match',
  'incompatible',
] as const;

export type ReleaseRefusal = (typeof RELEASE_REFUSAL_REASONS)[number];

export class ReleaseRefusedError extends Error {
  override readonly name = 'ReleaseRefusedError';
  constructor(
    readonly reason: ReleaseRefusal,
    detail: string,
  ) {
    super(`release refused (${reason}): ${detail}`);
  }
}
