import { describe, expect, it } from 'vitest';
import { splitUrlLogin } from './bus-connection.js';

describe('splitUrlLogin', () => {
  it('takes the login out of a server URL, decoded', () => {
    expect(splitUrlLogin(['nats://admin:p%40ss@127.0.0.1:4222'])).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      login: { user: 'admin', pass: 'p@ss' },
    });
  });

  it('leaves URLs without a login as they are', () => {
    expect(splitUrlLogin(['nats://a:4222', 'nats://b:4222'])).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
      login: {},
    });
  });
});
