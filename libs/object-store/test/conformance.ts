import { beforeAll, describe } from 'vitest';
import { uniqueBucketName } from '@muster/testing';
import type { ObjectStore } from '../src/index.js';
import type { ConformanceOptions } from './conformance/helpers.js';
import { objectCases } from './conformance/objects.cases.js';
import { transferCases } from './conformance/transfer.cases.js';

export { randomStream, readAll, type ConformanceOptions } from './conformance/helpers.js';

/**
 * The behaviour every ObjectStore adapter must have (the pattern of BullMQ's adapter
 * conformance tests): call it from an adapter's test file with a factory for the store. Each
 * test works in a bucket of its own, so the suite can share a server with other tests.
 */
export function describeObjectStoreConformance(
  name: string,
  makeStore: () => ObjectStore | Promise<ObjectStore>,
  options: ConformanceOptions,
): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let store: ObjectStore | undefined;
    beforeAll(async () => {
      store = await makeStore();
    });
    const current = (): ObjectStore => {
      if (!store) throw new Error('the store is made in beforeAll');
      return store;
    };
    const ctx = {
      store: current,
      options,
      freshBucket: async (prefix = 'conf') => {
        const bucket = uniqueBucketName(prefix);
        await current().ensureBucket(bucket);
        return bucket;
      },
    };
    objectCases(ctx);
    transferCases(ctx);
  });
}
