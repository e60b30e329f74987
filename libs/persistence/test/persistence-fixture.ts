import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AgentStatusSchema } from '@muster/contracts';
import { createDataSource, openDatabase, OutboxInbox1763800000000 } from '../src/index.js';

/** A business table for the tests: the row an event must never go without. */
export class Widgets1763800000999 implements MigrationInterface {
  name = 'Widgets1763800000999';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE widget (id serial PRIMARY KEY, name text NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widget');
  }
}

export const testSchema = (): string => `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

export function openTestDatabase(url: string, schema: string) {
  return openDatabase(
    createDataSource({
      url,
      schema,
      applicationName: 'persistence-test',
      migrations: [OutboxInbox1763800000000, Widgets1763800000999],
      poolSize: 4,
    }),
  );
}

export { statusEvent as heartbeat } from '@muster/messaging/testing';

export const seqOf = (data: Uint8Array): number => Number(fromBinary(AgentStatusSchema, data).seq);
