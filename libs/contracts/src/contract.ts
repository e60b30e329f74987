import type { DescMessage } from '@bufbuild/protobuf';

/** JetStream streams, one per domain. Their subjects never overlap. */
export type StreamName =
  'INVENTORY' | 'IMAGES' | 'ROLLOUTS' | 'AGENT_TELEMETRY' | 'AGENT_COMMANDS' | 'DEADLETTER';

export interface StreamSpec {
  readonly name: StreamName;
  readonly description: string;
  readonly subjects: readonly string[];
  /** How long a message is kept, in seconds (0 = for ever, bounded by maxBytes). */
  readonly maxAgeSeconds: number;
  /** JetStream de-duplication window: must cover the longest producer retry. */
  readonly duplicateWindowSeconds: number;
}

export type MessageKind = 'event' | 'command';

/**
 * One row of the contracts table: a protobuf message, the subject it travels on, its
 * CloudEvents type and the stream that keeps it. Subject tokens in `{braces}` are filled per
 * message (a site id, an agent id) so that a permission can be scoped to one site or agent.
 */
export interface MessageContract<S extends DescMessage = DescMessage, T extends string = string> {
  /** Stable short name, also the key in the table: `inventory.machine.discovered.v1`. */
  readonly name: string;
  /** CloudEvents `type`: `io.muster.inventory.machine.discovered.v1`. */
  readonly type: string;
  readonly kind: MessageKind;
  readonly schema: S;
  readonly stream: StreamName;
  /** e.g. `muster.inventory.{siteId}.machine.discovered.v1`. */
  readonly subjectTemplate: string;
  readonly tokens: readonly T[];
  /** The wildcard subject that matches every instance: tokens become `*`. */
  readonly filter: string;
  subject(params: Readonly<Record<T, string>>): string;
}

/** A request/reply query on core NATS (not persisted). */
export interface QueryContract<Req extends DescMessage = DescMessage, Res extends DescMessage = DescMessage> {
  readonly name: string;
  readonly type: string;
  readonly subject: string;
  readonly request: Req;
  readonly response: Res;
}

const TOKEN = /\{([a-zA-Z]+)\}/g;
/** A subject token: no dots, wildcards or white space, so it cannot widen a permission. */
export const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

export class InvalidSubjectTokenError extends Error {
  override readonly name = 'InvalidSubjectTokenError';
}

export function defineMessage<S extends DescMessage, const T extends string = never>(spec: {
  name: string;
  kind: MessageKind;
  schema: S;
  stream: StreamName;
  subject: string;
}): MessageContract<S, T> {
  const tokens = [...spec.subject.matchAll(TOKEN)].map((m) => m[1] as T);
  return Object.freeze({
    name: spec.name,
    type: `io.muster.${spec.name}`,
    kind: spec.kind,
    schema: spec.schema,
    stream: spec.stream,
    subjectTemplate: spec.subject,
    tokens,
    filter: spec.subject.replace(TOKEN, '*'),
    subject(params: Readonly<Record<T, string>>): string {
      return spec.subject.replace(TOKEN, (_, key: string) => {
        const value = (params as Record<string, string | undefined>)[key];
        if (value === undefined || !SAFE_TOKEN.test(value)) {
          throw new InvalidSubjectTokenError(
            `subject token ${key}=${JSON.stringify(value)} for ${spec.name} must match ${SAFE_TOKEN.source}`,
          );
        }
        return value;
      });
    },
  });
}

export function defineQuery<Req extends DescMessage, Res extends DescMessage>(spec: {
  name: string;
  subject: string;
  request: Req;
  response: Res;
}): QueryContract<Req, Res> {
  return Object.freeze({ ...spec, type: `io.muster.${spec.name}` });
}
