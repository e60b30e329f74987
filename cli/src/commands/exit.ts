/**
 * Exit codes: 0 done, 1 the request failed (or could not be made), 2 a usage error (a bad flag,
 * a recipe that is not valid), 3 the build followed ended failed or cancelled, 4 a release
 * failed verification (`releases verify`: refused by its signature, expiry or a manifest, a
 * chunk or file that does not match, or the release is revoked).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, buildFailed: 3, releaseRefused: 4 } as const;

/** Ends the command with `code`; whatever there was to say has been printed already. */
export class CommandExit extends Error {
  override readonly name = 'CommandExit';
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
