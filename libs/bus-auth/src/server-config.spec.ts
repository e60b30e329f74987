import { describe, expect, it } from 'vitest';
import { serviceNames } from '@muster/contracts';
import { renderAuthorization } from './server-config.js';
import { createBusCredentials, InvalidSeedError, publicKeyOf } from './service-credentials.js';

describe('createBusCredentials', () => {
  it('gives each service its own user nkey, whose seed yields its public key', () => {
    const creds = createBusCredentials();
    const keys = serviceNames.map((s) => creds.services[s].publicKey);
    expect(new Set(keys).size).toBe(serviceNames.length);
    for (const s of serviceNames) {
      expect(creds.services[s].publicKey).toMatch(/^U[A-Z2-7]{55}$/);
      expect(creds.services[s].seed).toMatch(/^SU[A-Z2-7]{56}$/);
      expect(publicKeyOf(creds.services[s].seed)).toBe(creds.services[s].publicKey);
    }
    expect(creds.admin.password.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses what is not a user seed, without echoing it', () => {
    expect(() => publicKeyOf('SUNOTASEED')).toThrow(InvalidSeedError);
    expect(() => publicKeyOf('SUNOTASEED')).not.toThrow(/SUNOTASEED/);
  });
});

describe('renderAuthorization', () => {
  const creds = createBusCredentials();
  const text = renderAuthorization(creds);

  it('lists every public key and never a seed', () => {
    for (const s of serviceNames) {
      expect(text).toContain(`nkey: "${creds.services[s].publicKey}"`);
      expect(text).not.toContain(creds.services[s].seed);
    }
  });

  it('quotes every subject, so `$JS…` is never read as a variable', () => {
    expect(text).toContain('"$JS.API.INFO"');
    expect(text).not.toMatch(/[\s[,]\$JS/);
  });

  it('lets anonymous clients in as the administrator only when asked (the test harness)', () => {
    expect(text).not.toContain('no_auth_user');
    expect(renderAuthorization(creds, { noAuthUser: 'admin' })).toContain('no_auth_user: "admin"');
  });
});
