import { type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';

export interface DatabaseHealthOptions {
  /** postgres:// URL, the same the data source uses. */
  readonly url: string;
  /** Shown in pg_stat_activity, suffixed with `/readiness`. */
  readonly applicationName: string;
}

/**
 * What a readiness probe asks of the database: one round trip on a connection of its own.
 * Not from the pool: under a burst of requests every pooled connection is busy, and a probe
 * queued behind them timed out and took a healthy instance out of rotation. The connection
 * opens on the first probe and again after it fails.
 */
export class DatabaseHealth implements OnApplicationShutdown {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private closed = false;

  constructor(private readonly options: DatabaseHealthOptions) {}

  async ping(): Promise<void> {
    const client = await this.connection();
    try {
      await client.query('SELECT 1');
    } catch (err) {
      this.drop(client);
      throw err;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('database health is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: `${this.options.applicationName}/readiness`,
    });
    client.on('error', () => this.drop(client));
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    return client;
  }

  private drop(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    void client.end().catch(() => undefined);
  }
}
