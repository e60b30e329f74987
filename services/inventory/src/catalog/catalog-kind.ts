import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { Outbox } from '@muster/persistence';

/** What every catalog row has besides its value. */
export interface CatalogMeta {
  revision: string;
  createdAt: Date;
  updatedAt: Date;
}

/** One column of a kind's table: where a field of the value is stored, and its SQL type. */
export interface CatalogColumn<V> {
  column: string;
  key: keyof V & string;
  /** Cast of the parameter on write (`jsonb`, `cidr[]`, `text`…). */
  cast: string;
  /** Expression that reads it back as JSON-friendly text (defaults to the column). */
  read?: string;
  /** From what the driver returns to the value's field (defaults to as-is). */
  parse?: (raw: unknown) => unknown;
  /** From the value's field to the driver's parameter (defaults to as-is; objects as JSON). */
  write?: (value: unknown) => unknown;
}

export class CatalogConflictError extends Error {
  override readonly name = 'CatalogConflictError';
}

/** A value names an entry that does not exist; `field` is where (e.g. `assign.siteId`). */
export class CatalogReferenceError extends Error {
  override readonly name = 'CatalogReferenceError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One kind of catalog entry (site, group, profile, assignment rule): its table, its API shape,
 * and the event that announces a change. The repository and the controller are the same for
 * all four; what differs is here.
 */
export interface CatalogKind<V extends object, C extends z.ZodType<V>, P extends z.ZodType> {
  /** Singular word for messages: "site". */
  noun: string;
  path: string;
  /** Key of the list in a list response: "sites". */
  listKey: string;
  table: string;
  idColumn: string;
  idKey: keyof V & string;
  columns: readonly CatalogColumn<V>[];
  create: C;
  patch: P;
  /** The API's JSON of one entry (its protobuf JSON form). */
  toJson(value: V, meta: CatalogMeta): unknown;
  /** Writes the `…changed` event into the outbox, in the transaction of the change. */
  announce(
    outbox: Outbox,
    manager: EntityManager,
    value: V,
    meta: CatalogMeta,
    deleted: boolean,
  ): Promise<void>;
  /** Refuses a value that names entries that do not exist (throws CatalogReferenceError). */
  checkReferences?(manager: EntityManager, value: V): Promise<void>;
  /** Keeps other tables in step after a write (the site's one-row-per-network table). */
  afterWrite?(manager: EntityManager, value: V): Promise<void>;
  /** Why the entry cannot be deleted now (machines or rules use it), or null. */
  inUse?(manager: EntityManager, id: string): Promise<string | null>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a kind of any value shape
export type AnyCatalogKind = CatalogKind<any, z.ZodType<any>, z.ZodType>;
