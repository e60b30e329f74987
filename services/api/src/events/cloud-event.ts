import { toJson, type JsonValue } from '@bufbuild/protobuf';
import {
  cloudEventsSpecVersion,
  contractBySubject,
  contractByType,
  dataSchemaOf,
  decode,
  headers as H,
  type MessageContract,
} from '@muster/contracts';

/** A CloudEvents 1.0 event in the JSON structured mode: attributes and data in one document. */
export interface CloudEventJson {
  specversion: string;
  id: string;
  type: string;
  source: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  dataschema: string;
  /** The payload as protobuf-JSON of the message `dataschema` names. */
  data: JsonValue;
}

/** One event as the bus carries it: CloudEvents attributes in headers, the protobuf payload. */
export interface BusEvent {
  subject: string;
  headers: Readonly<Record<string, string>>;
  data: Uint8Array;
}

export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
}

/**
 * The contract of a bus event: by its `ce-type`, and it must also be the one its subject
 * belongs to (the same check consumers make).
 */
export function contractOf(event: BusEvent): MessageContract {
  const type = event.headers[H.ceType];
  const contract = type ? contractByType(type) : undefined;
  if (!contract) throw new UndecodableEventError(`unknown type ${type ?? '(none)'}`);
  if (contractBySubject(event.subject) !== contract) {
    throw new UndecodableEventError(`type ${type} does not belong on ${event.subject}`);
  }
  return contract;
}

/** The CloudEvents attributes a bus event carries in its headers. */
export interface EventAttributes {
  id: string;
  source: string;
  time: string;
  subject?: string | undefined;
}

/** The CloudEvents JSON of a decoded message and its attributes. */
export function cloudEventOf(
  contract: MessageContract,
  attributes: EventAttributes,
  message: unknown,
): CloudEventJson {
  return {
    specversion: cloudEventsSpecVersion,
    id: attributes.id,
    type: contract.type,
    source: attributes.source,
    time: attributes.time,
    ...(attributes.subject ? { subject: attributes.subject } : {}),
    datacontenttype: 'application/json',
    dataschema: dataSchemaOf(contract.schema.typeName),
    data: toJson(contract.schema, message as never),
  };
}

/** The CloudEvents JSON of a bus event: binary mode (headers + protobuf) → structured mode. */
export function toCloudEvent(event: BusEvent, contract: MessageContract = contractOf(event)): CloudEventJson {
  const h = event.headers;
  const id = h[H.ceId];
  const source = h[H.ceSource];
  const time = h[H.ceTime];
  if (!id || !source || !time) throw new UndecodableEventError('missing CloudEvents headers');
  if (h[H.ceType] !== undefined && h[H.ceType] !== contract.type) {
    throw new UndecodableEventError(`type ${h[H.ceType]} does not match ${contract.type}`);
  }
  return cloudEventOf(
    contract,
    { id, source, time, subject: h[H.ceSubject] },
    decode(contract.schema, event.data),
  );
}
