import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('reads events split anywhere across chunks, skips comments, joins data lines', () => {
    const p = new SseParser();
    expect(p.push('retry: 2000\n: connected\n\nid: INVENTORY:1\nda')).toEqual([]);
    expect(p.push('ta: {"a":1}\n\n: heartbeat\n\nid: INVENTORY:2\r\ndata: x\r\ndata: y\r\n\r\n')).toEqual([
      { id: 'INVENTORY:1', data: '{"a":1}' },
      { id: 'INVENTORY:2', data: 'x\ny' },
    ]);
  });
});
