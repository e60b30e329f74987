import { describe, expect, it } from 'vitest';
import { dataSchemaOf, messageNameOf } from './data-schema.js';
import { allContracts } from './registry.js';

describe('dataschema', () => {
  it('names each contract message by its protobuf full name, as an absolute URI', () => {
    for (const c of allContracts) {
      const uri = dataSchemaOf(c.schema.typeName);
      expect(uri).toMatch(/^[a-z][a-z0-9+.-]*:/); // RFC 3986 scheme: an absolute URI
      expect(messageNameOf(uri)).toBe(c.schema.typeName);
    }
    expect(dataSchemaOf('muster.inventory.v1.MachineDiscovered')).toBe(
      'urn:muster:proto:muster.inventory.v1.MachineDiscovered',
    );
  });

  it.each([
    'type.googleapis.com/muster.inventory.v1.MachineDiscovered',
    'urn:muster:proto:',
    'urn:muster:proto:MachineDiscovered',
    'urn:muster:proto:muster.inventory.v1.Machine Discovered',
  ])('reads no message name from %j', (uri) => {
    expect(messageNameOf(uri)).toBeUndefined();
  });
});
