export { BusConnection, type BusOptions } from './bus-connection.js';
export { KvBucket, type KvEntry, type KvWatch, type KvWatchOptions } from './kv-bucket.js';
export { ensureStreams, UnknownStreamError, type EnsureStreamsOptions } from './stream-setup.js';
export { waitForStreams, type WaitForStreamsOptions } from './stream-wait.js';
export {
  effectiveLimits,
  reconcileStream,
  streamConfig,
  type DeclaredStream,
  type Reconciled,
  type StreamLimitOverrides,
} from './stream-reconcile.js';
export { ensureDurableConsumer, type DurableConsumerSpec } from './consumer-setup.js';
export {
  envelopeHeaders,
  extractTraceContext,
  readMetadata,
  type EventMetadata,
  type HeaderMap,
} from './event-envelope.js';
export {
  EventPublisher,
  prepareMessage,
  type OutgoingMessage,
  type PublishOptions,
} from './event-publisher.js';
export {
  DurableConsumer,
  type BatchHandler,
  type ConsumerOptions,
  type Delivery,
  type DependencyProbe,
  type OutageEvent,
} from './durable-consumer.js';
export { isDependencyFailure } from './dependency-failure.js';
export type { DeadLetterRecord } from './dead-letter.js';
export {
  DeadLetterNotFoundError,
  DeadLetterStore,
  type DeadLetterEntry,
  type Replayed,
} from './dead-letter-store.js';
export { QueryClient, serveQuery, QUERY_ERROR_HEADER, type QueryHandler } from './query.js';
export { DependencyUnavailableError, PermanentFailureError, QueryFailedError } from './errors.js';
export {
  MessagingModule,
  type MessagingModuleOptions,
  type MessagingModuleAsyncOptions,
} from './nest/messaging.module.js';
export { OnEvent, AnswerQuery, type EventHandlerOptions } from './nest/handler.decorators.js';
export { MESSAGING_OPTIONS } from './nest/messaging.tokens.js';
export { assertDeclared, UndeclaredHandlerError, type DeclaredHandler } from './nest/manifest-check.js';
export { StreamTail, type StreamTailOptions, type TailedMessage, type TailStart } from './stream-tail.js';
