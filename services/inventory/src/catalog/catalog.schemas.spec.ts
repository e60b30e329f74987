import { describe, expect, it } from 'vitest';
import { isIanaTimeZone, profileCreate, ruleCreate, siteCreate, sitePatch } from './catalog.schemas.js';

describe('isIanaTimeZone', () => {
  it.each(['Europe/Paris', 'America/Argentina/Buenos_Aires', 'UTC', 'Asia/Kolkata', 'Etc/GMT+5'])(
    'accepts %s',
    (tz) => {
      expect(isIanaTimeZone(tz)).toBe(true);
    },
  );
  it.each(['Mars/Olympus', '+01:00', 'europe paris', '', 'Europe/Paris/Left/Bank'])('refuses %j', (tz) => {
    expect(isIanaTimeZone(tz)).toBe(false);
  });
});

describe('siteCreate', () => {
  const base = { siteId: 'berlin-3', name: 'Berlin 3', timeZone: 'Europe/Berlin' };

  it('normalizes, dedups and sorts networks, and fills defaults', () => {
    expect(siteCreate.parse({ ...base, networks: ['10.3.9.9/16', 'FD00:3::1/48', '10.3.0.0/16'] })).toEqual({
      ...base,
      networks: ['10.3.0.0/16', 'fd00:3::/48'],
      maintenanceWindows: [],
      bandwidthBudgetKbps: 0,
      cacheUrl: null,
    });
  });

  it.each([
    [{ timeZone: 'Nowhere/Land' }, 'timeZone'],
    [{ networks: ['10.0.0.0/33'] }, 'networks'],
    [{ maintenanceWindows: [{ days: ['mon'], start: '24:00', durationMinutes: 60 }] }, 'maintenanceWindows'],
    [
      { maintenanceWindows: [{ days: ['mon', 'mon'], start: '22:00', durationMinutes: 60 }] },
      'maintenanceWindows',
    ],
    [{ maintenanceWindows: [{ days: ['mon'], start: '22:00', durationMinutes: 0 }] }, 'maintenanceWindows'],
    [
      { maintenanceWindows: [{ days: ['monday'], start: '22:00', durationMinutes: 60 }] },
      'maintenanceWindows',
    ],
    [{ siteId: 'Berlin 3' }, 'siteId'],
    [{ cacheUrl: 'ftp://cache' }, 'cacheUrl'],
    [{ bandwidthBudgetKbps: -1 }, 'bandwidthBudgetKbps'],
    [{ surprise: 1 }, ''],
  ])('refuses %j', (change, field) => {
    const result = siteCreate.safeParse({ ...base, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0] ?? '').toBe(field);
  });

  it('patches without an id', () => {
    expect(sitePatch.safeParse({ siteId: 'x' }).success).toBe(false);
    expect(sitePatch.parse({ name: 'New' })).toEqual({ name: 'New' });
  });
});

describe('ruleCreate', () => {
  it('canonicalizes the selector and the network, and stringifies fact values', () => {
    expect(
      ruleCreate.parse({
        ruleId: 'arm',
        priority: 10,
        match: {
          facts: { 'cpu.cores': 4, memoryBytes: '>=1024' },
          network: '10.1.2.3/16',
          labels: ' role=till , !gpu',
        },
        assign: { groupId: 'boards' },
      }),
    ).toEqual({
      ruleId: 'arm',
      priority: 10,
      match: {
        facts: { 'cpu.cores': '4', memoryBytes: '>=1024' },
        network: '10.1.0.0/16',
        labels: 'role=till,!gpu',
      },
      assign: { groupId: 'boards' },
      enabled: true,
    });
  });

  it('refuses a rule that assigns nothing, a bad selector, a comparison without a number', () => {
    expect(ruleCreate.safeParse({ ruleId: 'a', priority: 1, assign: {} }).success).toBe(false);
    expect(
      ruleCreate.safeParse({ ruleId: 'a', priority: 1, match: { labels: 'a=,,' }, assign: { groupId: 'g' } })
        .success,
    ).toBe(false);
    expect(
      ruleCreate.safeParse({
        ruleId: 'a',
        priority: 1,
        match: { facts: { 'cpu.cores': '>=many' } },
        assign: { groupId: 'g' },
      }).success,
    ).toBe(false);
  });
});

describe('profileCreate', () => {
  it('takes a JSON object as configuration and refuses anything else', () => {
    expect(
      profileCreate.parse({
        profileId: 'pos',
        name: 'POS',
        releaseChannel: 'stable',
        configuration: { a: [1, { b: null }] },
      }).configuration,
    ).toEqual({ a: [1, { b: null }] });
    expect(
      profileCreate.safeParse({ profileId: 'pos', name: 'POS', releaseChannel: 'stable', configuration: [1] })
        .success,
    ).toBe(false);
  });
});
