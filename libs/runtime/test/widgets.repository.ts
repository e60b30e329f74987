import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { AgentStatus } from '@muster/contracts';
import type { Delivery } from '@muster/messaging';
import { applyOnce } from '@muster/persistence';

/** The test service's one table: a row per applied heartbeat, named after its seq. */
export class Widgets1763800000999 implements MigrationInterface {
  name = 'Widgets1763800000999';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE widget (id serial PRIMARY KEY, name text NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widget');
  }
}

@Injectable()
export class WidgetsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** One row per heartbeat, exactly once in effect (the inbox claims each event id). */
  apply(consumer: string, deliveries: readonly Delivery<AgentStatus>[]): Promise<number> {
    return applyOnce(this.ds, consumer, deliveries, async (manager, fresh) => {
      await manager.query('INSERT INTO widget (name) SELECT unnest($1::text[])', [
        fresh.map((d) => String(d.message.seq)),
      ]);
    });
  }

  async names(): Promise<string[]> {
    const rows = await this.ds.query<{ name: string }[]>('SELECT name FROM widget ORDER BY id');
    return rows.map((r) => r.name);
  }
}
