/** Where Redis is. `prefix` namespaces the BullMQ keys (default `muster`); producer and worker must agree. */
export type RedisConnection = (
  | { readonly url: string }
  | {
      readonly host: string;
      readonly port: number;
      readonly username?: string;
      readonly password?: string;
      readonly db?: number;
    }
) & { readonly prefix?: string };

export const DEFAULT_PREFIX = 'muster';

/** How long finished jobs are kept; a job is removed when it exceeds either bound. */
export interface JobRetention {
  readonly count: number;
  readonly ageSeconds: number;
}

export const DEFAULT_COMPLETED_RETENTION: JobRetention = { count: 1000, ageSeconds: 24 * 3600 };
export const DEFAULT_FAILED_RETENTION: JobRetention = { count: 5000, ageSeconds: 7 * 24 * 3600 };
