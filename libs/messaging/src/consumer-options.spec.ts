import { describe, expect, it } from 'vitest';
import { contracts } from '@muster/contracts';
import { resolveConsumerOptions } from './consumer-options.js';

const base = { contract: contracts.agentStatus, durable: 'd', handle: async () => undefined };

describe('consumer options', () => {
  it('holds max(100, 2 × batchSize) by default, and the server never hands out less', () => {
    expect(resolveConsumerOptions(base)).toMatchObject({
      maxInFlight: 100,
      maxAckPending: 1_000,
      maxAttempts: 10,
    });
    expect(resolveConsumerOptions({ ...base, batchSize: 200 })).toMatchObject({ maxInFlight: 400 });
    expect(resolveConsumerOptions({ ...base, maxInFlight: 5_000 }).maxAckPending).toBe(5_000);
  });

  it('refuses a bound that a batch cannot fit in, and no attempt at all', () => {
    expect(() => resolveConsumerOptions({ ...base, batchSize: 50, maxInFlight: 10 })).toThrow(
      /at least batchSize/,
    );
    expect(() => resolveConsumerOptions({ ...base, maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});
