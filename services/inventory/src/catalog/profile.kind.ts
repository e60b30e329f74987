import { create, toJson } from '@bufbuild/protobuf';
import { contracts, ProfileChangedSchema, ProfileSchema } from '@muster/contracts';
import type { CatalogKind } from './catalog-kind.js';
import { changeFields, FULL_JSON, metaFields } from './catalog-message.js';
import { usedBy } from './catalog-refs.js';
import { profileCreate, profilePatch, type ProfileValue } from './catalog.schemas.js';

const profileMessage = (value: ProfileValue, meta: Parameters<typeof metaFields>[0]) =>
  create(ProfileSchema, {
    profileId: value.profileId,
    name: value.name,
    releaseChannel: value.releaseChannel,
    configuration: value.configuration,
    ...metaFields(meta),
  });

export const profileKind: CatalogKind<ProfileValue, typeof profileCreate, typeof profilePatch> = {
  noun: 'profile',
  path: 'v1/profiles',
  listKey: 'profiles',
  table: 'profile',
  idColumn: 'profile_id',
  idKey: 'profileId',
  columns: [
    { column: 'name', key: 'name', cast: 'text' },
    { column: 'release_channel', key: 'releaseChannel', cast: 'text' },
    { column: 'configuration', key: 'configuration', cast: 'jsonb' },
  ],
  create: profileCreate,
  patch: profilePatch,
  toJson: (value, meta) => toJson(ProfileSchema, profileMessage(value, meta), FULL_JSON),
  announce: (outbox, manager, value, meta, deleted) =>
    outbox
      .add(
        manager,
        contracts.profileChanged,
        { profileId: value.profileId },
        create(ProfileChangedSchema, {
          profileId: value.profileId,
          profile: profileMessage(value, meta),
          ...changeFields(meta, deleted),
        }),
      )
      .then(() => undefined),
  inUse: (manager, id) => usedBy(manager, 'profile', id),
};
