import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts, headers as H, MachineDiscoveredSchema, messageNameOf } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { ownBus, readSubject } from '@muster/messaging/testing';

// An outside subscriber with nothing of ours but docs/events: it takes an event off JetStream,
// reads the message name from ce-dataschema, and decodes the body with Debian's protoc.

const published = resolve(import.meta.dirname, '../../docs/events');
let env: Awaited<ReturnType<typeof ownBus>>;
let work: string;
beforeAll(async () => {
  env = await ownBus();
  work = mkdtempSync(join(tmpdir(), 'muster-decode-'));
});
afterAll(async () => {
  await env?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('published descriptor set', () => {
  it('lets stock protoc decode a captured event, named by its ce-dataschema', async () => {
    const siteId = `site-${randomUUID().slice(0, 8)}`;
    const machineId = randomUUID();
    const message = create(MachineDiscoveredSchema, {
      machineId,
      identity: { serial: 'CZ1234', macs: ['52:54:00:12:34:56'] },
      siteId,
      bootMac: '52:54:00:12:34:56',
      ipAddress: '10.20.0.17',
      discoveredAt: timestampFromDate(new Date('2026-06-01T10:00:00Z')),
      hardware: { cpu: { model: 'Xeon', architecture: 'amd64', cores: 8 }, memoryBytes: 32n << 30n },
    });
    await new EventPublisher(env.bus, '/muster/discovery').publish(
      contracts.machineDiscovered,
      { siteId, machineId: message.machineId },
      message,
    );

    const [captured] = await readSubject(
      env.bus,
      'INVENTORY',
      contracts.machineDiscovered.pattern({ siteId }),
    );
    expect(captured).toBeDefined();
    const name = messageNameOf(captured!.headers[H.ceDataSchema] ?? '');
    expect(name).toBe('muster.inventory.v1.MachineDiscovered');
    const body = join(work, 'event.bin');
    writeFileSync(body, captured!.data);

    // protoc runs in an empty directory: the descriptor set is all it has.
    const protoc = spawnSync(
      process.env['PROTOC'] ?? 'protoc',
      [`--decode=${name}`, `--descriptor_set_in=${join(published, 'muster.binpb')}`],
      { cwd: work, input: readFileSync(body), encoding: 'utf8' },
    );
    expect(protoc.error).toBeUndefined();
    expect(protoc.stderr).toBe('');
    expect(protoc.status).toBe(0);
    const text = protoc.stdout;
    expect(text).toContain(`machine_id: "${machineId}"`);
    expect(text).toContain(`site_id: "${siteId}"`);
    expect(text).toContain('ip_address: "10.20.0.17"');
    expect(text).toMatch(/identity \{\s+serial: "CZ1234"\s+macs: "52:54:00:12:34:56"\s+\}/);
    expect(text).toMatch(/cpu \{\s+model: "Xeon"\s+architecture: "amd64"\s+cores: 8\s+\}/);
    expect(text).toContain(`memory_bytes: ${32 * 2 ** 30}`);
    expect(text).toMatch(/discovered_at \{\s+seconds: 1780308000\s+\}/);
  });
});
