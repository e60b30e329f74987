/**
 * Message header names. Event metadata travels in headers (CloudEvents NATS binding, binary
 * mode); the body is the protobuf payload alone.
 */
export const headers = {
  ceSpecVersion: 'ce-specversion',
  ceId: 'ce-id',
  ceType: 'ce-type',
  ceSource: 'ce-source',
  ceTime: 'ce-time',
  ceSubject: 'ce-subject',
  /** The payload's protobuf message as a URI: see `dataSchemaOf`. */
  ceDataSchema: 'ce-dataschema',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** JetStream de-duplication key: the CloudEvents id. */
  msgId: 'Nats-Msg-Id',
  /** Why a message was dead-lettered (the decode or validation error, or the handler's). */
  deadLetterReason: 'muster-dl-reason',
  deadLetterOriginalSubject: 'muster-dl-subject',
  deadLetterOriginalStream: 'muster-dl-stream',
  deadLetterOriginalSequence: 'muster-dl-stream-seq',
  deadLetterConsumer: 'muster-dl-consumer',
  deadLetterDeliveryCount: 'muster-dl-deliveries',
} as const;

export const cloudEventsSpecVersion = '1.0';
/** `content-type` of every message body. */
export const protobufContentType = 'application/protobuf';
