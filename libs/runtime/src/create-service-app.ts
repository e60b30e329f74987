import type { INestApplication } from '@nestjs/common';
import type { ServiceContext, ServiceParts } from './run-service.js';

/**
 * The service's Nest application with the common HTTP edge, not yet listening (for tests
 * that start a service in-process). Nest and Express load on the first call, not on import,
 * so that a main.ts can import this library before telemetry starts.
 */
export async function createServiceApp(ctx: ServiceContext, parts: ServiceParts): Promise<INestApplication> {
  const { createServiceApp: create } = await import('./run-service.js');
  return create(ctx, parts);
}
