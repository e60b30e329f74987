import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What a readiness probe asks of the database: one round trip. */
@Injectable()
export class DatabaseHealth {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async ping(): Promise<void> {
    await this.ds.query('SELECT 1');
  }
}
