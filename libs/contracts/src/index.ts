export {
  defineMessage,
  defineQuery,
  InvalidSubjectTokenError,
  SAFE_TOKEN,
  type MessageContract,
  type MessageKind,
  type QueryContract,
  type StreamLimits,
  type StreamName,
  type StreamSpec,
} from './contract.js';
export { build, decode, encode, InvalidMessageError, validate } from './codec.js';
export { DATA_SCHEMA_PREFIX, dataSchemaOf, messageNameOf } from './data-schema.js';
export { deadLetter } from './dead-letter.js';
export { cloudEventsSpecVersion, headers, protobufContentType } from './headers.js';
export { contracts, type ContractKey } from './messages.js';
export { queries, type QueryKey } from './queries.js';
export { allContracts, allQueries, contractBySubject, contractByType } from './registry.js';
export { DUPLICATE_WINDOW_SECONDS, streams } from './streams.js';
export { API_BASE_PORT, httpRoutes, serviceForPath } from './http-routes.js';
export { patternCovers, subjectMatches } from './subject-pattern.js';
export * from './gen/index.js';
export { scopedSubjects, type Scope } from './scope.js';
export {
  busManifest,
  busManifests,
  everyServiceKv,
  inboxPrefix,
  kvBucketOf,
  manifestKv,
  manifestStreams,
  serviceNames,
  UnknownServiceError,
  type BusManifest,
  type ConsumedEvent,
  type KvGrant,
  type ServiceName,
} from './services.js';
export { fleetEvents, fleetEventStreams, webhookDurable } from './fleet-events.js';
