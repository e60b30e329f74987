import type { ServiceParts } from '@muster/runtime';
import { TokenAudit1764500000000 } from './migrations/1764500000000-token-audit.js';

export const apiParts: ServiceParts = {
  features: [],
  entities: [],
  migrations: [TokenAudit1764500000000],
  // Tokens live in NATS KV; the audit and the webhooks in its own tables.
  readiness: ['postgres'],
};
