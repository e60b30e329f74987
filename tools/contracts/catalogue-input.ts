import { join } from 'node:path';
import { runOrThrow, toolRoot } from './toolchain.ts';

/** What the event catalogue is made from: the contracts table of libs/contracts, as data. */
export interface CatalogueInput {
  readonly version: string;
  readonly messages: readonly {
    readonly name: string;
    readonly type: string;
    readonly kind: string;
    /** Protobuf full name of the payload. */
    readonly message: string;
    readonly dataschema: string;
    readonly stream: string;
    readonly subjectTemplate: string;
    /** The field that orders one entity's events (ADR 3), or `once`. */
    readonly orderedBy: string;
    readonly tokens: readonly string[];
  }[];
  readonly queries: readonly {
    readonly name: string;
    readonly type: string;
    readonly subject: string;
    readonly request: string;
    readonly response: string;
    readonly requestDataschema: string;
  }[];
  /** Every stream with all its settings as the table declares them (retention and limits). */
  readonly streams: readonly ({ readonly name: string; readonly subjects: readonly string[] } & Readonly<
    Record<string, unknown>
  >)[];
  readonly tokenPattern: string;
}

/**
 * Reads root's contracts table. It is TypeScript that imports the generated code (enums
 * included), so it runs in a child Node with the repository's TypeScript loader — after
 * `src/gen` has been regenerated, and never with a stale module cache.
 */
export function readCatalogueInput(root: string): CatalogueInput {
  const child = join(toolRoot, 'tools/contracts/catalogue-input.child.ts');
  const out = runOrThrow(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', '--conditions=@muster/source', child, root],
    toolRoot,
  ).stdout;
  return JSON.parse(out) as CatalogueInput;
}
