import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, type DescriptorProto } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allContracts, allQueries, dataSchemaOf, streams } from '@muster/contracts';
import { ASYNCAPI_FILE, DESCRIPTOR_SET_FILE } from './asyncapi.ts';
import { resolvePointer, validateAsyncApi } from './asyncapi-validate.ts';
import { PUBLISHED_DIR } from './published.ts';
import { toolRoot } from './toolchain.ts';

// The committed, published files (their drift from the table is contracts:check's job).
const doc = parse(readFileSync(join(toolRoot, PUBLISHED_DIR, ASYNCAPI_FILE), 'utf8')) as unknown;

/** The value at a path of keys in the document (or in `root`), `$ref`s followed. */
const at = (...keys: (string | number)[]): unknown => atIn(doc, ...keys);
function atIn(root: unknown, ...keys: (string | number)[]): unknown {
  const pointer = `#/${keys.map((k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  return resolvePointer(root, pointer);
}
const descriptorSet = fromBinary(
  FileDescriptorSetSchema,
  readFileSync(join(toolRoot, PUBLISHED_DIR, DESCRIPTOR_SET_FILE)),
);

function messageNames(): Set<string> {
  const names = new Set<string>();
  const visit = (prefix: string, m: DescriptorProto): void => {
    names.add(`${prefix}.${m.name}`);
    m.nestedType.forEach((n) => visit(`${prefix}.${m.name}`, n));
  };
  for (const file of descriptorSet.file) file.messageType.forEach((m) => visit(file.package, m));
  return names;
}

describe('published event catalogue (docs/events)', () => {
  it('is a valid AsyncAPI 3.0 document', () => {
    expect(at('asyncapi')).toBe('3.0.0');
    expect(validateAsyncApi(doc)).toEqual([]);
  });

  it('has one channel per contract with its subject, parameters, type, message, stream and retention', () => {
    for (const c of allContracts) {
      expect(at('channels', c.name), c.name).toBeDefined();
      expect(at('channels', c.name, 'address')).toBe(c.subjectTemplate);
      expect(Object.keys((at('channels', c.name, 'parameters') as object | undefined) ?? {})).toEqual([
        ...c.tokens,
      ]);
      expect(at('channels', c.name, 'x-cloudevents-type')).toBe(c.type);
      expect(at('channels', c.name, 'x-protobuf-message')).toBe(c.schema.typeName);
      // Every setting of the stream as declared (max age today; max bytes, replicas when added).
      expect(at('channels', c.name, 'x-jetstream-stream')).toEqual({
        ...streams.find((s) => s.name === c.stream),
      });
      const message = at('channels', c.name, 'messages', c.name);
      expect(atIn(message, 'headers', 'properties', 'ce-type', 'const')).toBe(c.type);
      expect(atIn(message, 'headers', 'properties', 'ce-dataschema', 'const')).toBe(
        dataSchemaOf(c.schema.typeName),
      );
      expect(atIn(message, 'payload', 'x-protobuf-message')).toBe(c.schema.typeName);
    }
    const queryChannels = allQueries.flatMap((q) => [q.name, `${q.name}.reply`]);
    expect(Object.keys(at('channels') as object).sort()).toEqual(
      [...allContracts.map((c) => c.name), ...queryChannels].sort(),
    );
  });

  it('describes each query as request/reply with both messages', () => {
    for (const q of allQueries) {
      const op = `answer.${q.name}`;
      expect(at('operations', op, 'action')).toBe('receive');
      expect(at('operations', op, 'channel')).toMatchObject({ address: q.subject });
      const request = at('operations', op, 'messages', 0);
      const response = at('operations', op, 'reply', 'messages', 0);
      expect(atIn(request, 'x-protobuf-message')).toBe(q.request.typeName);
      expect(atIn(response, 'x-protobuf-message')).toBe(q.response.typeName);
    }
  });

  it('names only messages the descriptor set holds, which also holds buf/validate and the well-known types', () => {
    const names = messageNames();
    const named = JSON.stringify(doc).match(/"x-protobuf-message":"[^"]+"/g) ?? [];
    expect(named.length).toBeGreaterThan(0);
    for (const entry of named) expect(names, entry).toContain(entry.split('"')[3]);
    const files = descriptorSet.file.map((f) => f.name);
    expect(files).toContain('buf/validate/validate.proto');
    expect(files).toContain('google/protobuf/timestamp.proto');
  });

  it('finds what breaks the document', () => {
    const broken = structuredClone(doc) as {
      info?: unknown;
      channels: Record<string, { parameters?: unknown }>;
      operations: Record<string, { messages?: unknown }>;
      components: { messages: Record<string, { payload?: unknown }> };
    };
    broken.channels['inventory.machine.discovered.v1']!.parameters = { site: {} };
    broken.operations['send.agent.heartbeat.v1']!.messages = [
      { $ref: '#/channels/inventory.machine.updated.v1/messages/inventory.machine.updated.v1' },
    ];
    broken.components.messages['agent.status.v1']!.payload = { $ref: '#/components/schemas/Nope' };
    delete broken.info;
    const problems = validateAsyncApi(broken);
    expect(problems).toContain("schema: / must have required property 'info'");
    expect(problems).toContain(
      'channel inventory.machine.discovered.v1: address tokens [machineId,siteId] but parameters [site]',
    );
    expect(problems.some((p) => p.startsWith('operation send.agent.heartbeat.v1: channel message'))).toBe(
      true,
    );
    expect(problems).toContain(
      '/components/messages/agent.status.v1/payload: $ref #/components/schemas/Nope does not resolve',
    );
  });
});
