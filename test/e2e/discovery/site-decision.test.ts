import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@muster/messaging/testing';
import { macOf, startDiscovery, uniqueSite, type DiscoveryFixture } from './discovery-fixture.js';

/**
 * The server decides a machine's site from its site networks: the request's source, or the
 * DHCP relay the boot environment reports when the request came through a trusted relay. The
 * client's claimed siteId is ignored (and recorded beside the decision).
 */
let discovery: DiscoveryFixture;
const direct = uniqueSite('direct');
const relayed = uniqueSite('relayed');
const RELAY = '127.0.0.2';

beforeAll(async () => {
  discovery = await startDiscovery({ MUSTER_DISCOVERY_TRUSTED_RELAYS: `${RELAY}/32` });
  expect(
    (await discovery.http('PUT', `/v1/discovery/site-networks/${direct}`, { cidrs: ['127.0.0.1/32'] }))
      .status,
  ).toBe(200);
  const put = await discovery.http('PUT', `/v1/discovery/site-networks/${relayed}`, {
    cidrs: ['10.20.1.9/16', 'fd00:20::/48'],
  });
  expect(put.body).toEqual({ siteId: relayed, cidrs: ['10.20.0.0/16', 'fd00:20::/48'] });
});

afterAll(async () => {
  await discovery?.stop();
});

const post = (body: object, from?: string) => discovery.http('POST', '/v1/discovery/reports', body, from);

describe('the site of a discovered machine', () => {
  it('comes from the network of the request source; a claim that disagrees is ignored and recorded', async () => {
    const r = await post({ macs: [macOf(20, 1)], siteId: 'somewhere-else' }, '127.0.0.1');
    expect(r.body).toMatchObject({ outcome: 'created', siteId: direct });
    const [row] = await discovery.sql<{ site_id: string; claimed_site_id: string }>(
      'SELECT site_id, claimed_site_id FROM discovery_report WHERE machine_id = $1',
      [r.body.machineId],
    );
    expect(row).toEqual({ site_id: direct, claimed_site_id: 'somewhere-else' });
    const mine = async () => (await discovery.events(direct)).filter((e) => e.machineId === r.body.machineId);
    await until(async () => (await mine()).length > 0, 30_000, 'its event');
    expect((await mine())[0]?.siteId).toBe(direct);
  });

  it('is unassigned when no site network matches, whatever the client claims', async () => {
    const r = await post({ macs: [macOf(20, 2)], siteId: direct }, '127.0.0.3');
    expect(r.body).toMatchObject({ outcome: 'created', siteId: 'unassigned' });
  });

  it('comes from the reported DHCP relay only when the request came through a trusted relay', async () => {
    const viaRelay = await post({ macs: [macOf(20, 3)], relayAddress: '10.20.7.1' }, RELAY);
    expect(viaRelay.body).toMatchObject({ outcome: 'created', siteId: relayed });
    const untrusted = await post({ macs: [macOf(20, 4)], relayAddress: '10.20.7.1' }, '127.0.0.1');
    expect(untrusted.body).toMatchObject({ outcome: 'created', siteId: direct });
    const noRelay = await post({ macs: [macOf(20, 5)] }, RELAY);
    expect(noRelay.body).toMatchObject({ outcome: 'created', siteId: 'unassigned' });
  });

  it('is administered through /v1/discovery/site-networks', async () => {
    const taken = await discovery.http('PUT', `/v1/discovery/site-networks/${uniqueSite('thief')}`, {
      cidrs: ['10.20.0.0/16'],
    });
    expect(taken.status).toBe(409);
    expect(
      (await discovery.http('PUT', `/v1/discovery/site-networks/${direct}`, { cidrs: ['nonsense'] })).status,
    ).toBe(400);
    expect((await discovery.http('GET', `/v1/discovery/site-networks/${relayed}`)).body).toEqual({
      siteId: relayed,
      cidrs: ['10.20.0.0/16', 'fd00:20::/48'],
    });
    const page = await discovery.http('GET', '/v1/discovery/site-networks?limit=1');
    expect(page.body).toMatchObject({
      sites: [expect.objectContaining({ siteId: [direct, relayed].sort()[0] })],
    });
    expect(page.body.next).toBe([direct, relayed].sort()[0]);
    const second = await discovery.http('GET', `/v1/discovery/site-networks?after=${String(page.body.next)}`);
    expect(second.body).toEqual({
      sites: [expect.objectContaining({ siteId: [direct, relayed].sort()[1] })],
    });

    expect((await discovery.http('DELETE', `/v1/discovery/site-networks/${relayed}`)).status).toBe(204);
    expect((await discovery.http('GET', `/v1/discovery/site-networks/${relayed}`)).status).toBe(404);
    expect((await discovery.http('DELETE', `/v1/discovery/site-networks/${relayed}`)).status).toBe(404);
    const after = await post({ macs: [macOf(20, 6)], relayAddress: '10.20.7.1' }, RELAY);
    expect(after.body).toMatchObject({ siteId: 'unassigned' });
  });
});
