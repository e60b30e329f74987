import type { BusConnection } from '@muster/messaging';
import { contracts, decode, MachineDiscoveredSchema } from '@muster/contracts';
import { readSubject } from '@muster/messaging/testing';
import pg from 'pg';

export interface Recorded {
  /** Machines reported but missing from the database or the stream. */
  lost: number;
  /** Identity rows beyond one per machine, or events beyond one per machine. */
  duplicated: number;
  rows: number;
  events: number;
}

/**
 * Counts, per machine serial, the identity rows in discovery's schema and the
 * machine.discovered events on the site's subject, waiting up to `timeoutMs` for the outbox
 * relay to publish them all.
 */
export async function verifyRecorded(input: {
  databaseUrl: string;
  schema: string;
  bus: BusConnection;
  siteId: string;
  serials: readonly string[];
  timeoutMs: number;
}): Promise<Recorded> {
  const client = new pg.Client({ connectionString: input.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ serial: string; machine_id: string }>(
      `SELECT serial, machine_id FROM ${input.schema}.machine_identity WHERE site_id = $1`,
      [input.siteId],
    );
    const idBySerial = new Map<string, string[]>();
    for (const r of rows) idBySerial.set(r.serial, [...(idBySerial.get(r.serial) ?? []), r.machine_id]);
    const expected = new Set(rows.map((r) => r.machine_id));
    const subject = contracts.machineDiscovered.pattern({ siteId: input.siteId });
    const deadline = Date.now() + input.timeoutMs;
    let events = await readSubject(input.bus, 'INVENTORY', subject);
    while (events.length < expected.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      events = await readSubject(input.bus, 'INVENTORY', subject);
    }
    const eventIds = events.map((e) => decode(MachineDiscoveredSchema, e.data).machineId);
    const distinctEvents = new Set(eventIds);
    const lostInDb = input.serials.filter((s) => !idBySerial.has(s)).length;
    const lostOnBus = [...expected].filter((id) => !distinctEvents.has(id)).length;
    return {
      lost: lostInDb + lostOnBus,
      duplicated: rows.length - idBySerial.size + (eventIds.length - distinctEvents.size),
      rows: rows.length,
      events: eventIds.length,
    };
  } finally {
    await client.end();
  }
}
