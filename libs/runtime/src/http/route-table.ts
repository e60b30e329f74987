import type { INestApplication } from '@nestjs/common';
import type { RouteEntry } from './request-target.check.js';

interface ExpressLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
}

/**
 * Every route the application answers, read from the HTTP router Nest filled (Express's):
 * what the router dispatches is what this lists, so a route added tomorrow is in it too.
 */
export function routesOf(app: INestApplication): RouteEntry[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  const routes: RouteEntry[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on)
        routes.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: layer.route.path });
    }
  }
  return routes;
}
