import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { contracts, SiteChangedSchema } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
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
  // Inventory owns the sites; discovery keeps a copy from their `site.changed` events.
  await discovery.setSiteNetworks(direct, ['127.0.0.1/32']);
  await discovery.setSiteNetworks(relayed, ['10.20.0.0/16', 'fd00:20::/48']);
  expect((await discovery.http('GET', `/v1/discovery/site-networks/${relayed}`)).body).toEqual({
    siteId: relayed,
    cidrs: ['10.20.0.0/16', 'fd00:20::/48'],
  });
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

  it('follows inventory: read-only routes, a copy kept by revision, a removed site places nothing', async () => {
    // No writes here: the routes that set networks moved to inventory's /v1/sites.
    for (const method of ['PUT', 'DELETE']) {
      expect((await discovery.http(method, `/v1/discovery/site-networks/${direct}`)).status).toBe(404);
    }
    const page = await discovery.http('GET', '/v1/discovery/site-networks?limit=1');
    expect(page.body).toMatchObject({
      sites: [expect.objectContaining({ siteId: [direct, relayed].sort()[0] })],
    });
    expect(page.body.next).toBe([direct, relayed].sort()[0]);
    const second = await discovery.http('GET', `/v1/discovery/site-networks?after=${String(page.body.next)}`);
    expect(second.body).toEqual({
      sites: [expect.objectContaining({ siteId: [direct, relayed].sort()[1] })],
    });

    // A network moves to the site that announced it last; a replay of an older announcement
    // of the site it left neither takes it back nor removes it.
    const thief = uniqueSite('thief');
    const [{ revision: before } = { revision: undefined }] = await discovery.sql<{ revision: string }>(
      'SELECT revision::text AS revision FROM site_revision WHERE site_id = $1',
      [relayed],
    );
    await discovery.setSiteNetworks(thief, ['10.20.0.0/16']);
    expect((await discovery.http('GET', `/v1/discovery/site-networks/${thief}`)).body).toEqual({
      siteId: thief,
      cidrs: ['10.20.0.0/16'],
    });
    expect((await post({ macs: [macOf(20, 7)], relayAddress: '10.20.7.1' }, RELAY)).body).toMatchObject({
      siteId: thief,
    });
    await new EventPublisher(discovery.bus, '/muster/inventory').publish(
      contracts.siteChanged,
      { siteId: relayed },
      create(SiteChangedSchema, {
        siteId: relayed,
        revision: BigInt(before!),
        site: {
          siteId: relayed,
          name: relayed,
          timeZone: 'UTC',
          networks: ['10.20.0.0/16'],
          revision: BigInt(before!),
        },
        changedAt: timestampNow(),
      }),
    );
    await discovery.setSiteNetworks(uniqueSite('barrier'), ['192.0.2.0/24']);
    expect((await discovery.http('GET', `/v1/discovery/site-networks/${thief}`)).body).toEqual({
      siteId: thief,
      cidrs: ['10.20.0.0/16'],
    });
    expect((await discovery.http('GET', `/v1/discovery/site-networks/${relayed}`)).body).toEqual({
      siteId: relayed,
      cidrs: ['fd00:20::/48'],
    });

    await discovery.setSiteNetworks(relayed, []);
    await discovery.setSiteNetworks(thief, []);
    expect((await discovery.http('GET', `/v1/discovery/site-networks/${relayed}`)).status).toBe(404);
    const after = await post({ macs: [macOf(20, 6)], relayAddress: '10.20.7.1' }, RELAY);
    expect(after.body).toMatchObject({ siteId: 'unassigned' });
  });
});
