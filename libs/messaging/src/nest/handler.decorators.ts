import { SetMetadata } from '@nestjs/common';
import type { DescMessage } from '@bufbuild/protobuf';
import type { MessageContract, QueryContract } from '@muster/contracts';
import type { ConsumerOptions } from '../durable-consumer.js';
import { EVENT_HANDLER, QUERY_HANDLER } from './messaging.tokens.js';

export type EventHandlerOptions = Omit<ConsumerOptions<DescMessage>, 'contract' | 'handle'>;

export interface EventHandlerMetadata {
  contract: MessageContract;
  options: EventHandlerOptions;
}

/**
 * Marks a method as the handler of a durable consumer. The method receives a batch of
 * deliveries (`readonly Delivery<M>[]`; one at a time unless `batchSize` > 1) and acks them
 * all by returning; throwing retries, `PermanentFailureError` dead-letters at once.
 */
export const OnEvent = (contract: MessageContract, options: EventHandlerOptions): MethodDecorator =>
  SetMetadata<string, EventHandlerMetadata>(EVENT_HANDLER, { contract, options });

/** Marks a method as the responder of a request/reply query: `(request) => Promise<response>`. */
export const AnswerQuery = (query: QueryContract): MethodDecorator =>
  SetMetadata<string, QueryContract>(QUERY_HANDLER, query);
