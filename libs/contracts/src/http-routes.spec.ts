import { describe, expect, it } from 'vitest';
import { httpRoutes, serviceForPath } from './http-routes.js';
import { serviceNames } from './services.js';

describe('the base URL routing table', () => {
  it('sends each first path segment to a known service', () => {
    for (const [segment, service] of Object.entries(httpRoutes)) {
      expect(serviceNames, segment).toContain(service);
      expect(segment).toMatch(/^[a-z][a-z.-]*$/);
    }
  });

  it('finds the owner of a path by its first segment only', () => {
    expect(serviceForPath('/v1/machines')).toBe('inventory');
    expect(serviceForPath('/v1/machines/abc/history?x=1')).toBe('inventory');
    expect(serviceForPath('/v1/agent/connect')).toBe('agent-gateway');
    expect(serviceForPath('/v1/openapi.json')).toBe('api');
    expect(serviceForPath('/v1/machinesx')).toBeUndefined();
    expect(serviceForPath('/v2/machines')).toBeUndefined();
    expect(serviceForPath('/healthz')).toBeUndefined();
  });
});
