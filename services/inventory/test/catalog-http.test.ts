import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AssignmentRuleChangedSchema,
  contracts,
  GroupChangedSchema,
  ProfileChangedSchema,
  SiteChangedSchema,
} from '@muster/contracts';
import { until } from '@muster/messaging/testing';
import { startInventory, uniqueId, type Inventory } from './inventory-fixture.js';

let inv: Inventory;
beforeAll(async () => {
  inv = await startInventory();
});
afterAll(async () => inv?.close());

const siteEvents = (siteId: string) =>
  inv.read('INVENTORY', contracts.siteChanged.pattern({ siteId }), SiteChangedSchema);

describe('sites', () => {
  it('are created, read, patched and deleted, each change an event with a higher revision', async () => {
    const siteId = uniqueId('site');
    const created = await inv.call('POST', '/v1/sites', {
      siteId,
      name: 'Berlin 3',
      timeZone: 'Europe/Berlin',
      maintenanceWindows: [{ days: ['sat'], start: '22:00', durationMinutes: 240 }],
      networks: ['10.77.9.9/16', 'FD00:77::1/48'],
      bandwidthBudgetKbps: 5000,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      siteId,
      name: 'Berlin 3',
      timeZone: 'Europe/Berlin',
      networks: ['10.77.0.0/16', 'fd00:77::/48'],
      bandwidthBudgetKbps: '5000',
      cacheUrl: '',
    });
    expect((await inv.call('GET', `/v1/sites/${siteId}`)).body).toEqual(created.body);

    const patched = await inv.call('PATCH', `/v1/sites/${siteId}`, {
      cacheUrl: 'http://cache.example:8080',
      networks: [],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Berlin 3',
      cacheUrl: 'http://cache.example:8080',
      networks: [],
    });
    expect(BigInt(patched.body.revision!)).toBeGreaterThan(BigInt(created.body.revision!));

    expect((await inv.call('DELETE', `/v1/sites/${siteId}`)).status).toBe(204);
    expect((await inv.call('GET', `/v1/sites/${siteId}`)).status).toBe(404);
    expect((await inv.call('DELETE', `/v1/sites/${siteId}`)).status).toBe(404);

    await until(async () => (await siteEvents(siteId)).length === 3, 15_000, 'three site events');
    const events = await siteEvents(siteId);
    expect(events.map((e) => [e.deleted, e.site?.networks])).toEqual([
      [false, ['10.77.0.0/16', 'fd00:77::/48']],
      [false, []],
      [true, []],
    ]);
    const revisions = events.map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(revisions).size).toBe(3);
  });

  it('refuses a bad time zone, a bad network, and a network another site has', async () => {
    const a = uniqueId('site');
    const bad = await inv.call('POST', '/v1/sites', { siteId: a, name: 'A', timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.body['invalid-params']![0]).toMatchObject({ name: 'timeZone' });
    expect(
      (
        await inv.call('POST', '/v1/sites', {
          siteId: a,
          name: 'A',
          timeZone: 'UTC',
          networks: ['10.0.0.0/40'],
        })
      ).status,
    ).toBe(400);

    expect(
      (
        await inv.call('POST', '/v1/sites', {
          siteId: a,
          name: 'A',
          timeZone: 'UTC',
          networks: ['10.78.0.0/16'],
        })
      ).status,
    ).toBe(201);
    expect(
      (await inv.call('POST', '/v1/sites', { siteId: a, name: 'A again', timeZone: 'UTC' })).status,
    ).toBe(409);
    const b = uniqueId('site');
    const taken = await inv.call('POST', '/v1/sites', {
      siteId: b,
      name: 'B',
      timeZone: 'UTC',
      networks: ['10.78.1.2/16'],
    });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toContain(`10.78.0.0/16 (${a})`);
    // A patch is validated as a whole: it cannot leave a site a create would refuse.
    expect((await inv.call('PATCH', `/v1/sites/${a}`, { timeZone: 'Nowhere' })).status).toBe(400);
    expect((await inv.call('PATCH', `/v1/sites/${a}`, { siteId: 'other' })).status).toBe(400);
    expect((await inv.call('PATCH', `/v1/sites/${uniqueId('none')}`, { name: 'x' })).status).toBe(404);
  });

  it('are listed a page at a time in id order', async () => {
    const prefix = uniqueId('list');
    for (const n of [3, 1, 2]) {
      expect(
        (await inv.call('POST', '/v1/sites', { siteId: `${prefix}-${n}`, name: `S${n}`, timeZone: 'UTC' }))
          .status,
      ).toBe(201);
    }
    const seen: string[] = [];
    let after = `${prefix}-0`;
    for (;;) {
      const page = await inv.call('GET', `/v1/sites?limit=2&after=${after}`);
      seen.push(
        ...page.body
          .sites!.map((s: { siteId: string }) => s.siteId)
          .filter((id: string) => id.startsWith(prefix)),
      );
      if (!page.body.next) break;
      after = page.body.next;
    }
    expect(seen).toEqual([`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
  });
});

describe('groups, profiles and rules', () => {
  it('announce every change, and a rule must name what exists', async () => {
    const groupId = uniqueId('g');
    const profileId = uniqueId('p');
    const ruleId = uniqueId('r');
    expect((await inv.call('POST', '/v1/groups', { groupId, name: 'Tills' })).status).toBe(201);
    expect(
      (
        await inv.call('POST', '/v1/profiles', {
          profileId,
          name: 'POS',
          releaseChannel: 'stable',
          configuration: { ntp: ['a'] },
        })
      ).body,
    ).toMatchObject({ profileId, configuration: { ntp: ['a'] } });

    const missing = await inv.call('POST', '/v1/assignment-rules', {
      ruleId,
      priority: 1,
      assign: { groupId, profileId: uniqueId('nope') },
    });
    expect(missing.status).toBe(400);
    expect(missing.body['invalid-params']![0]).toMatchObject({ name: 'assign.profileId' });

    const rule = await inv.call('POST', '/v1/assignment-rules', {
      ruleId,
      priority: 1,
      match: { facts: { 'cpu.architecture': 'arm64' }, labels: 'role=till' },
      assign: { groupId, profileId },
    });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ ruleId, enabled: true, match: { labels: 'role=till' } });

    // In use: a group a rule assigns cannot go.
    const busy = await inv.call('DELETE', `/v1/groups/${groupId}`);
    expect(busy.status).toBe(409);
    expect(busy.body.detail).toContain('1 assignment rule assigns it');
    expect((await inv.call('PATCH', `/v1/assignment-rules/${ruleId}`, { enabled: false })).body.enabled).toBe(
      false,
    );
    expect((await inv.call('DELETE', `/v1/assignment-rules/${ruleId}`)).status).toBe(204);
    expect((await inv.call('DELETE', `/v1/groups/${groupId}`)).status).toBe(204);

    await until(
      async () =>
        (
          await inv.read(
            'INVENTORY',
            contracts.assignmentRuleChanged.pattern({ ruleId }),
            AssignmentRuleChangedSchema,
          )
        ).length === 3,
      15_000,
      'rule events',
    );
    const ruleEvents = await inv.read(
      'INVENTORY',
      contracts.assignmentRuleChanged.pattern({ ruleId }),
      AssignmentRuleChangedSchema,
    );
    expect(ruleEvents.map((e) => [e.rule?.enabled, e.deleted])).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
    const groupEvents = await inv.read(
      'INVENTORY',
      contracts.groupChanged.pattern({ groupId }),
      GroupChangedSchema,
    );
    expect(groupEvents.map((e) => e.deleted)).toEqual([false, true]);
    const profileEvents = await inv.read(
      'INVENTORY',
      contracts.profileChanged.pattern({ profileId }),
      ProfileChangedSchema,
    );
    expect(profileEvents[0]?.profile?.configuration).toEqual({ ntp: ['a'] });
  });
});
