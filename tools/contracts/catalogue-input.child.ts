// Child process of readCatalogueInput: prints root's contracts table as JSON on stdout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Contracts from '../../libs/contracts/src/index.ts';
import type { CatalogueInput } from './catalogue-input.ts';

const root = process.argv[2];
if (!root) throw new Error('usage: catalogue-input.child.ts <root>');
const c = (await import(pathToFileURL(join(root, 'libs/contracts/src/index.ts')).href)) as typeof Contracts;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };

const input: CatalogueInput = {
  version: pkg.version ?? '0.0.0',
  messages: c.allContracts.map((m) => ({
    name: m.name,
    type: m.type,
    kind: m.kind,
    message: m.schema.typeName,
    dataschema: c.dataSchemaOf(m.schema.typeName),
    stream: m.stream,
    subjectTemplate: m.subjectTemplate,
    tokens: [...m.tokens],
    orderedBy: m.orderedBy,
  })),
  queries: c.allQueries.map((q) => ({
    name: q.name,
    type: q.type,
    subject: q.subject,
    request: q.request.typeName,
    response: q.response.typeName,
    requestDataschema: c.dataSchemaOf(q.request.typeName),
  })),
  // Every declared setting of a stream, whatever the table holds today (limits, replicas, …).
  streams: c.streams.map((s) => ({ ...s })),
  tokenPattern: c.SAFE_TOKEN.source,
};
process.stdout.write(JSON.stringify(input));
