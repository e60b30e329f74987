import type {} from 'vitest';
import type { ServerEndpoints } from './server-endpoints.js';

// Types `inject('servers')` in every test of a program that includes this lib (index.ts imports it).
declare module 'vitest' {
  export interface ProvidedContext {
    servers: ServerEndpoints;
  }
}
