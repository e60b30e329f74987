import type { TestProject } from 'vitest/node';
import { startTestServers } from './test-servers.js';
import './vitest-context.js';

/**
 * Vitest globalSetup of the `integration` project: starts the four servers once per run and
 * provides their endpoints to every test (`inject('servers')`); the returned function stops them.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await startTestServers();
  project.provide('servers', servers.endpoints);
  process.stderr.write(
    `[@muster/testing] NATS, PostgreSQL, Redis and S3 ready in ${servers.startMs} ms (${servers.rootDir})\n`,
  );
  return () => servers.stop();
}
