import './vitest-context.js';

export { MissingBinaryError, ServerStartError } from './errors.js';
export type { ServerEndpoints } from './server-endpoints.js';
export type { ServerHandle, ServerOptions } from './server-options.js';
export { serviceSeeds, startNats, type NatsServerHandle, type NatsServerOptions } from './nats.launcher.js';
export { JETSTREAM_MAX_FILE_STORE, JETSTREAM_MAX_MEMORY_STORE } from './nats-config.js';
export { startPostgres, type PostgresServerHandle, type PostgresServerOptions } from './postgres.launcher.js';
export { startRedis, type RedisServerHandle } from './redis.launcher.js';
export { startS3, type S3ServerHandle, type S3ServerOptions } from './s3.launcher.js';
export { startTestServers, type TestServers } from './test-servers.js';
export { uniqueBucketName, uniqueName } from './unique-name.js';
export { getFreePort, getFreePorts, isPortFree } from './internal/free-port.js';
export { bootInQemu, type BootInQemuOptions, type BootInQemuResult } from './qemu-boot.js';
export { completedBuild, type BuildOutputFile, type CompletedBuild } from './completed-build.js';
