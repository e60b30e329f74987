import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { SseWriter } from './sse-writer.js';

/** A response whose socket buffer is full after every write until 'drain'. */
class FullResponse extends EventEmitter {
  written: string[] = [];
  writableNeedDrain = false;
  writableEnded = false;
  writeHead() {
    return this;
  }
  write(chunk: string) {
    this.written.push(chunk);
    this.writableNeedDrain = true;
    return false;
  }
  end() {
    this.writableEnded = true;
  }
}

describe('SseWriter', () => {
  it('writes the next event only once the socket has drained', async () => {
    const res = new FullResponse();
    const writer = new SseWriter(res as unknown as ServerResponse, new AbortController().signal);
    writer.start(60_000);
    let firstDone = false;
    const first = writer.send(() => 'S:1', '{"n":1}').then(() => (firstDone = true));
    const second = writer.send(() => 'S:2', '{"n":2}');
    await new Promise((r) => setTimeout(r, 20));
    expect(firstDone).toBe(false);
    expect(res.written.filter((w) => w.startsWith('id:'))).toEqual(['id: S:1\ndata: {"n":1}\n\n']);
    res.emit('drain');
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(res.written.filter((w) => w.startsWith('id:'))).toHaveLength(2);
    res.emit('drain');
    await second;
    writer.end();
    expect(res.writableEnded).toBe(true);
  });

  it('stops waiting when the client goes away', async () => {
    const res = new FullResponse();
    const abort = new AbortController();
    const writer = new SseWriter(res as unknown as ServerResponse, abort.signal);
    writer.start(60_000);
    const pending = writer.send(() => 'S:1', '{}');
    await new Promise((r) => setTimeout(r, 0));
    abort.abort();
    await expect(pending).resolves.toBeUndefined();
    await writer.send(() => 'S:2', '{}');
    expect(res.written.filter((w) => w.startsWith('id:'))).toHaveLength(1);
  });
});
