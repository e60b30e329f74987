import { create, toJson } from '@bufbuild/protobuf';
import { contracts, GroupChangedSchema, GroupSchema } from '@muster/contracts';
import type { CatalogKind } from './catalog-kind.js';
import { changeFields, FULL_JSON, metaFields } from './catalog-message.js';
import { usedBy } from './catalog-refs.js';
import { groupCreate, groupPatch, type GroupValue } from './catalog.schemas.js';

const groupMessage = (value: GroupValue, meta: Parameters<typeof metaFields>[0]) =>
  create(GroupSchema, { ...value, ...metaFields(meta) });

export const groupKind: CatalogKind<GroupValue, typeof groupCreate, typeof groupPatch> = {
  noun: 'group',
  path: 'v1/groups',
  listKey: 'groups',
  table: 'machine_group',
  idColumn: 'group_id',
  idKey: 'groupId',
  columns: [
    { column: 'name', key: 'name', cast: 'text' },
    { column: 'description', key: 'description', cast: 'text' },
  ],
  create: groupCreate,
  patch: groupPatch,
  toJson: (value, meta) => toJson(GroupSchema, groupMessage(value, meta), FULL_JSON),
  announce: (outbox, manager, value, meta, deleted) =>
    outbox
      .add(
        manager,
        contracts.groupChanged,
        { groupId: value.groupId },
        create(GroupChangedSchema, {
          groupId: value.groupId,
          group: groupMessage(value, meta),
          ...changeFields(meta, deleted),
        }),
      )
      .then(() => undefined),
  inUse: (manager, id) => usedBy(manager, 'group', id),
};
