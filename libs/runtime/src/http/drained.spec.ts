import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { drained } from './drained.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

describe('drained', () => {
  it('resolves on drain or on close, and leaves no listener behind', async () => {
    const a = response();
    const waiting = drained(a);
    a.emit('drain');
    await waiting;
    expect(a.listenerCount('drain') + a.listenerCount('close')).toBe(0);
    const b = response();
    const closing = drained(b);
    b.emit('close');
    await closing;
    expect(b.listenerCount('drain') + b.listenerCount('close')).toBe(0);
  });

  it('resolves at once for a response already destroyed', async () => {
    const c = response();
    c.destroy();
    await drained(c);
    expect(c.listenerCount('close')).toBe(0);
  });
});
