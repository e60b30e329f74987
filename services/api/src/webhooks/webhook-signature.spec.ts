import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signatureOf, verifySignature } from './webhook-signature.js';

describe('webhook signature', () => {
  const secret = newWebhookSecret();
  const body = '{"id":"e1"}';

  it('is t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>', () => {
    const header = signatureOf(secret, 1_764_493_200, body);
    const mac = createHmac('sha256', secret).update(`1764493200.${body}`).digest('hex');
    expect(header).toBe(`t=1764493200,v1=${mac}`);
  });

  it('verifies with the secret, and refuses another secret, another body or an old t', () => {
    const now = 1_764_493_200;
    const header = signatureOf(secret, now, body);
    expect(verifySignature(secret, header, body, { now })).toBe(true);
    expect(verifySignature(newWebhookSecret(), header, body, { now })).toBe(false);
    expect(verifySignature(secret, header, '{"id":"e2"}', { now })).toBe(false);
    expect(verifySignature(secret, header, body, { now: now + 301 })).toBe(false);
    expect(verifySignature(secret, 'garbage', body, { now })).toBe(false);
  });

  it('makes a new 256-bit secret each time', () => {
    expect(newWebhookSecret()).not.toBe(secret);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64url')).toHaveLength(32);
  });
});
