import { describe, expect, it } from 'vitest';
import { WebhookTargetError, WebhookTargetPolicy } from './webhook-target.js';

const resolveTo = (addresses: string[]) => async () => addresses;

describe('WebhookTargetPolicy', () => {
  it('refuses what is not an http(s) URL without credentials', () => {
    const p = new WebhookTargetPolicy([]);
    for (const bad of [
      'ftp://x.example/',
      'file:///etc/passwd',
      'not a url',
      'https://u:p@x.example/',
      'https://x.example/#f',
    ]) {
      expect(() => p.parse(bad), bad).toThrow(WebhookTargetError);
    }
    expect(p.parse('https://hooks.example.com/muster').hostname).toBe('hooks.example.com');
  });

  it('refuses loopback, link-local, private and mapped addresses, by literal or by name', async () => {
    const p = new WebhookTargetPolicy([]);
    for (const url of [
      'http://127.0.0.1/',
      'http://169.254.169.254/',
      'http://10.0.0.1/',
      'http://192.168.1.1/',
      'http://[::1]/',
      'http://[fe80::1]/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      await expect(p.check(new URL(url)), url).rejects.toThrow(WebhookTargetError);
    }
    const byName = new WebhookTargetPolicy([], resolveTo(['93.184.215.14', '127.0.0.1']));
    await expect(byName.check(new URL('http://rebind.example/'))).rejects.toThrow(/127\.0\.0\.1/);
  });

  it('lets public addresses through, and private ones only inside the allowed networks', async () => {
    await expect(
      new WebhookTargetPolicy([], resolveTo(['93.184.215.14'])).check(new URL('https://example.com/')),
    ).resolves.toBeUndefined();
    const allowed = new WebhookTargetPolicy(['127.0.0.0/8', 'fd00::/8']);
    await expect(allowed.check(new URL('http://127.0.0.1:9000/'))).resolves.toBeUndefined();
    await expect(allowed.check(new URL('http://[fd00::5]/'))).resolves.toBeUndefined();
    await expect(allowed.check(new URL('http://10.0.0.1/'))).rejects.toThrow(WebhookTargetError);
  });

  it('refuses a name that does not resolve', async () => {
    const p = new WebhookTargetPolicy([], () =>
      Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })),
    );
    await expect(p.check(new URL('http://nowhere.invalid/'))).rejects.toThrow(/ENOTFOUND/);
  });
});
