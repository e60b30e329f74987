export { natsPermissions, type NatsPermissions } from './nats-permissions.js';
export { renderAuthorization, type AuthorizationOptions } from './server-config.js';
export {
  createBusCredentials,
  createNkeyUser,
  InvalidSeedError,
  publicKeyOf,
  type BusCredentials,
  type NkeyUser,
} from './service-credentials.js';
export { AUTH_CONF, ensureCredentialsDir, readCredentialsDir } from './credentials-dir.js';
