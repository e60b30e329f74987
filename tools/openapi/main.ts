// `npm run openapi`: docs/api/openapi.json and the api service's copy, from every controller.
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderOpenApiFiles } from './openapi-files.js';

for (const [path, text] of await renderOpenApiFiles()) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  process.stdout.write(`wrote ${path}\n`);
}
