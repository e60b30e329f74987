import { describe, expect, it } from 'vitest';
import { fleetEventStreams } from '@muster/contracts';
import { decodeCursor, encodeCursor, InvalidCursorError } from './event-cursor.js';

describe('event cursor (the SSE id)', () => {
  it('spells each stream’s position, and reads back what it wrote', () => {
    const cursor = {
      INVENTORY: { seq: 1042 },
      IMAGES: { since: 1764493200000 },
      AGENT_TELEMETRY: { seq: 0 },
    };
    const text = encodeCursor(cursor);
    expect(text).toBe('INVENTORY:1042,IMAGES:t1764493200000,AGENT_TELEMETRY:0');
    expect(decodeCursor(text, fleetEventStreams)).toEqual(cursor);
  });

  it('refuses what it never handed out: unknown or repeated streams, bad numbers, noise', () => {
    for (const bad of [
      '',
      'INVENTORY',
      'INVENTORY:x',
      'DEADLETTER:4',
      'INVENTORY:1,INVENTORY:2',
      'inventory:1',
      'INVENTORY:-1',
      'x'.repeat(2000),
    ]) {
      expect(() => decodeCursor(bad, fleetEventStreams), bad).toThrow(InvalidCursorError);
    }
  });
});
