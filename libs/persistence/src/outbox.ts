import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import type { MessageContract } from '@muster/contracts';
import { prepareMessage, type OutgoingMessage, type PublishOptions } from '@muster/messaging';

/** Outbox.add was called with a manager that is not inside a transaction. */
export class OutboxOutsideTransactionError extends Error {
  override readonly name = 'OutboxOutsideTransactionError';
}

/**
 * Writes events into the outbox inside the caller's transaction: the business row and its
 * event commit together or not at all, and a call outside a transaction is refused. The relay
 * publishes them afterwards, at least once; the order consumers rely on is each entity's
 * revision carried in the event (ADR 3), not the order of rows.
 */
export class Outbox {
  constructor(
    /** CloudEvents `source` of this service: `/muster/<service>`. */
    readonly source: string,
  ) {}

  async add<S extends DescMessage, T extends string>(
    manager: EntityManager,
    contract: MessageContract<S, T>,
    params: Readonly<Record<T, string>>,
    message: MessageShape<S>,
    options: PublishOptions = {},
  ): Promise<OutgoingMessage> {
    const prepared = prepareMessage(this.source, contract, params, message, options);
    await this.addPrepared(manager, [prepared]);
    return prepared;
  }

  async addPrepared(manager: EntityManager, messages: readonly OutgoingMessage[]): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new OutboxOutsideTransactionError(
        'Outbox.add needs the EntityManager of a transaction (dataSource.transaction(manager => …)): ' +
          'outside one, the event could be stored without the change it announces, or the change without it',
      );
    }
    if (messages.length === 0) return;
    await manager.query(
      `INSERT INTO outbox (id, subject, headers, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::bytea[])`,
      [
        messages.map((m) => m.id),
        messages.map((m) => m.subject),
        messages.map((m) => JSON.stringify(m.headers)),
        messages.map((m) => Buffer.from(m.payload)),
      ],
    );
  }
}
