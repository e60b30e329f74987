/**
 * CloudEvents `dataschema` of a protobuf payload. CloudEvents requires an absolute URI
 * (RFC 3986 §4.3), so the Any-style `type.googleapis.com/<name>` (no scheme) will not do;
 * `urn:muster:proto:<full name>` is one, names the message exactly, and needs no server to
 * answer for it. The full name after the prefix is what `protoc --decode=` takes, with the
 * published descriptor set (docs/events/muster.binpb).
 */
export const DATA_SCHEMA_PREFIX = 'urn:muster:proto:';

/** `urn:muster:proto:muster.inventory.v1.MachineDiscovered` for that message's full name. */
export function dataSchemaOf(typeName: string): string {
  return `${DATA_SCHEMA_PREFIX}${typeName}`;
}

/** The protobuf full name a `dataschema` names, or undefined if it is not one of ours. */
export function messageNameOf(dataSchema: string): string | undefined {
  if (!dataSchema.startsWith(DATA_SCHEMA_PREFIX)) return undefined;
  const name = dataSchema.slice(DATA_SCHEMA_PREFIX.length);
  return /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(name) ? name : undefined;
}
