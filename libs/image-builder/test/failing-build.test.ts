import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { BuildCancelledError, buildImage } from '../src/index.js';
import { buildInput, smallRecipe } from './build-fixtures.js';

const gone = (dir: string) =>
  access(dir).then(
    () => false,
    () => true,
  );

describe('a build that stops', () => {
  it('is cancelled through its signal mid-bootstrap and leaves no work directory', async () => {
    const abort = new AbortController();
    const input = await buildInput(smallRecipe(), {
      signal: abort.signal,
      onPhase: (phase) => {
        if (phase === 'bootstrapping') setTimeout(() => abort.abort(), 3000);
      },
    });
    const err = await buildImage(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildCancelledError);
    expect(await gone(input.workDir)).toBe(true);
    expect(input.lines.some((l) => l.includes('mmdebstrap'))).toBe(true);
  }, 120_000);

  // A package the mirror lacks: services/image-build/test/build-failures.test.ts (failed at once, named).
  it('fails, not retryable, when a recipe script fails, naming the script', async () => {
    const input = await buildInput(smallRecipe({ scripts: [{ name: 'broken', run: 'exit 7' }] }));
    const err = await buildImage(input).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false });
    expect(input.lines).toContain('muster: script broken');
    expect(await gone(input.workDir)).toBe(true);
  }, 300_000);
});
