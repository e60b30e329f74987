import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** The transaction every repository call and the outbox take part in. */
export type Tx = EntityManager;

/** Runs work in one database transaction: the services' only way to start one. */
@Injectable()
export class UnitOfWork {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }
}
