import { describe, expect, it } from 'vitest';
import { KeyedBatcher, type BatchResult } from './keyed-batcher.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('KeyedBatcher', () => {
  it('batches what arrives while a batch runs, never two items sharing a key in one batch', async () => {
    const batches: string[][] = [];
    const batcher = new KeyedBatcher<{ id: string; keys: string[] }, string>(
      async (items) => {
        batches.push(items.map((i) => i.id));
        await tick();
        return items.map((i) => ({ ok: i.id }));
      },
      { maxBatch: 10, maxConcurrent: 1, keysOf: (i) => i.keys },
    );
    const ids = ['a', 'b', 'c', 'd'];
    const keys: Record<string, string[]> = { a: ['x'], b: ['y'], c: ['y', 'z'], d: ['w'] };
    const results = await Promise.all(ids.map((id) => batcher.submit({ id, keys: keys[id]! })));
    expect(results).toEqual(ids);
    expect(batches).toEqual([['a'], ['b', 'd'], ['c']]);
  });

  it('processes each item of a failed batch on its own, so one bad item fails only itself', async () => {
    const batcher = new KeyedBatcher<string, string>(
      async (items) => {
        await tick();
        if (items.includes('bad')) throw new Error('bad item');
        return items.map((i) => ({ ok: i }));
      },
      { maxBatch: 10, maxConcurrent: 1, keysOf: (i) => [i] },
    );
    const first = batcher.submit('first');
    const rest = ['good', 'bad', 'fine'].map((i) => batcher.submit(i).catch((e: Error) => e.message));
    expect(await first).toBe('first');
    expect(await Promise.all(rest)).toEqual(['good', 'bad item', 'fine']);
  });

  it('runs an item answered with "again" in a later batch, and rejects an item answered with an error', async () => {
    let round = 0;
    const batcher = new KeyedBatcher<string, number>(
      async (items): Promise<BatchResult<number>[]> => {
        round++;
        return items.map((i) =>
          i === 'later' && round === 1
            ? { again: true }
            : i === 'no'
              ? { error: new Error('no') }
              : { ok: round },
        );
      },
      { maxBatch: 10, maxConcurrent: 1, keysOf: (i) => [i] },
    );
    const [later, now, no] = [batcher.submit('later'), batcher.submit('now'), batcher.submit('no')];
    expect(await later).toBeGreaterThan(1);
    expect(await now).toBeGreaterThanOrEqual(1);
    await expect(no).rejects.toThrow('no');
  });
});
