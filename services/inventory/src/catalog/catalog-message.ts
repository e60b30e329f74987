import { timestampFromDate, timestampNow } from '@bufbuild/protobuf/wkt';
import type { CatalogMeta } from './catalog-kind.js';

/** The revision and times every catalog message carries. */
export function metaFields(meta: CatalogMeta): {
  revision: bigint;
  createdAt: ReturnType<typeof timestampFromDate>;
  updatedAt: ReturnType<typeof timestampFromDate>;
} {
  return {
    revision: BigInt(meta.revision),
    createdAt: timestampFromDate(meta.createdAt),
    updatedAt: timestampFromDate(meta.updatedAt),
  };
}

/** The common fields of a `…Changed` event. */
export function changeFields(
  meta: CatalogMeta,
  deleted: boolean,
): {
  revision: bigint;
  deleted: boolean;
  changedAt: ReturnType<typeof timestampNow>;
} {
  return { revision: BigInt(meta.revision), deleted, changedAt: timestampNow() };
}

/** Protobuf JSON with every field, empty ones too: an API reader sees the whole shape. */
export const FULL_JSON = { alwaysEmitImplicit: true } as const;
