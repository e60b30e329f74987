import { BuildCancelledError, BuildFailedError, type BuildPhaseName } from './build-image.types.js';
import { ToolFailedError } from './tool-runner.js';

/** Output of apt or mmdebstrap that says the mirror, not the recipe, failed. */
const TRANSIENT =
  /Failed to fetch|Temporary failure|Could not connect|Connection (timed out|failed|refused|reset)|Unable to connect|Could not resolve|Hash Sum mismatch|File has unexpected size|\b50[234]\b|Undetermined Error|Read error|timed out/i;

/** A recipe fault apt names: the package or version does not exist. */
const MISSING =
  /Unable to locate package (\S+)|Package '?([^' ]+)'? has no installation candidate|Version '([^']+)' for '([^']+)' was not found/;

/** Turns what a step threw into a BuildFailedError (or passes a cancellation through). */
export function classifyFailure(err: unknown, phase: BuildPhaseName, pinnedFrom?: string): Error {
  if (err instanceof BuildCancelledError || err instanceof BuildFailedError) return err;
  if (err instanceof ToolFailedError) {
    const text = err.tail.join('\n');
    const missing = MISSING.exec(text);
    if (missing) {
      const what = missing[1] ?? missing[2] ?? `${missing[4]}=${missing[3]}`;
      return new BuildFailedError(
        phase,
        pinnedFrom
          ? `package ${what} is not in the package set kept by build ${pinnedFrom}`
          : `package ${what} is not in the mirror: ${err.message}`,
        false,
      );
    }
    return new BuildFailedError(phase, err.message, !pinnedFrom && TRANSIENT.test(text));
  }
  return new BuildFailedError(phase, err instanceof Error ? err.message : String(err), false);
}
