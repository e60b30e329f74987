import type { ServiceName } from '@muster/contracts';

/**
 * Where the servers of one test run listen. Plain data (it crosses from Vitest's global setup
 * to the test workers): `inject('servers')` in a test returns it.
 */
export interface ServerEndpoints {
  /**
   * nats://127.0.0.1:PORT (JetStream on), http://127.0.0.1:MONPORT. A client without
   * credentials has full rights (test set-up); `seeds` are the services' own NATS users
   * (MUSTER_NATS_NKEY_SEED), each allowed only what its bus manifest declares.
   */
  nats: { url: string; monitorUrl: string; seeds: Record<ServiceName, string> };
  /** postgres://postgres@127.0.0.1:PORT/postgres — trust authentication, superuser `postgres`. */
  postgres: { url: string; host: string; port: number; user: string; database: string };
  /** redis://127.0.0.1:PORT */
  redis: { url: string; host: string; port: number };
  /** radosgw: url = http://127.0.0.1:PORT, region us-east-1, path-style addressing. */
  s3: {
    url: string;
    endPoint: string;
    port: number;
    useSSL: false;
    accessKey: string;
    secretKey: string;
    region: string;
  };
}
