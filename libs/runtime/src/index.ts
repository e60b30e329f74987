export { runService, type ServiceEntry } from './main-entry.js';
export { serviceConfig, type BaseServiceConfigSchema } from './service-config.js';
export type { ServiceParts, ServiceContext } from './run-service.js';
export { limitOnlyQuery, pageLimit, slug, type LimitOnlyQuery } from './http-query.js';
