import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { serviceForPath } from '@muster/contracts';
import { DOCUMENT_FILE, renderOpenApiFiles, SITE_CACHE_DOCUMENT_FILE } from './openapi-files.js';

type Operation = {
  'x-muster-service': string;
  'x-muster-own-authentication'?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};

describe('docs/api/openapi.json', () => {
  it('is what `npm run openapi` generates from the code now (run it after changing a route)', async () => {
    for (const [path, text] of await renderOpenApiFiles()) {
      expect(await readFile(path, 'utf8'), `${path} is stale: run npm run openapi`).toBe(text);
    }
  });

  it('routes every /v1 path to its own service through the base URL, and marks how each authenticates', async () => {
    const doc = JSON.parse(await readFile(DOCUMENT_FILE, 'utf8')) as {
      openapi: string;
      security: unknown[];
      paths: Record<string, Record<string, Operation>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ operatorToken: [] }]);
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (path.startsWith('/v1/')) expect(serviceForPath(path), where).toBe(op['x-muster-service']);
        if (op['x-muster-own-authentication'] === undefined) {
          expect(op.security, where).toBeUndefined();
          expect(op.responses['401'], where).toBeDefined();
        } else {
          expect(op.security, where).toEqual([]);
        }
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
          expect(
            op.parameters?.some((p) => p.in === 'path' && p.name === name && p.required),
            where,
          ).toBe(true);
        }
      }
    }
    // What the issue names: the discovery report intake and boot's iPXE take no token; tokens do.
    expect(doc.paths['/v1/discovery/reports']!['post']!['x-muster-own-authentication']).toBeDefined();
    expect(doc.paths['/v1/boot/ipxe']!['get']!['x-muster-own-authentication']).toBeDefined();
    const create = doc.paths['/v1/tokens']!['post']!;
    expect(create.security).toBeUndefined();
    expect(JSON.stringify(create.requestBody)).toContain('"required":["name"]');
    expect(doc.paths['/v1/machines']!['get']!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'after']),
    );
  });

  it('describes the site cache apart: the delivery routes without a token, prefetch and status with one', async () => {
    const doc = JSON.parse(await readFile(SITE_CACHE_DOCUMENT_FILE, 'utf8')) as {
      paths: Record<string, Record<string, Operation>>;
    };
    expect(doc.paths['/v1/chunks/{sha256}']!['get']!['x-muster-own-authentication']).toBeDefined();
    expect(doc.paths['/v1/chunks/fetch']!['post']!['x-muster-own-authentication']).toBeDefined();
    expect(doc.paths['/v1/prefetch']!['post']!.security).toBeUndefined();
    expect(doc.paths['/v1/prefetch']!['post']!.responses['401']).toBeDefined();
    const central = JSON.parse(await readFile(DOCUMENT_FILE, 'utf8')) as { paths: Record<string, unknown> };
    expect(central.paths['/v1/prefetch']).toBeUndefined();
    expect(central.paths['/v1/site-caches']).toBeDefined();
  });
});
