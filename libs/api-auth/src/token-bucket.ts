import { streams, type StreamSpec } from '@muster/contracts';
import { KvBucket, type BusConnection } from '@muster/messaging';

/** The bucket as libs/contracts/src/streams.ts declares it. */
export const TOKENS_STREAM: StreamSpec = streams.find((s) => s.name === 'KV_API_TOKENS')!;

/** `token.<tokenId>`: the record (written by the api service only). */
export const tokenKey = (tokenId: string): string => `token.${tokenId}`;
/** `used.<tokenId>`: when it was last used, in batches (written by every service). */
export const usedKey = (tokenId: string): string => `used.${tokenId}`;

export function tokensBucket(bus: BusConnection): KvBucket {
  return new KvBucket(bus, TOKENS_STREAM);
}

/** What a key holds: a token record or a last-used time, by token id. */
export function keyOf(key: string): { kind: 'token' | 'used'; tokenId: string } | undefined {
  const [kind, tokenId, ...rest] = key.split('.');
  if (rest.length > 0 || !tokenId || (kind !== 'token' && kind !== 'used')) return undefined;
  return { kind, tokenId };
}
