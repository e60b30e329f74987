import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serviceNames, type ServiceName } from '@muster/contracts';
import { renderAuthorization, type AuthorizationOptions } from './server-config.js';
import {
  createBusCredentials,
  publicKeyOf,
  type BusCredentials,
  type NkeyUser,
} from './service-credentials.js';

/** The nats-server include file in a credentials directory. */
export const AUTH_CONF = 'nats-auth.conf';
const ADMIN_PASSWORD = 'admin.password';
const seedFile = (service: ServiceName) => `${service}.nk`;

/**
 * A directory of bus credentials: `<service>.nk` (one user seed each), `admin.password`, and
 * `nats-auth.conf` for nats-server to include. Keys are created once and kept; the permissions
 * in `nats-auth.conf` are rendered again from the current manifests every time, so an upgrade
 * that changes what a service may do needs only this to run again and the server to reload.
 * Every file is readable by its owner only.
 */
export async function ensureCredentialsDir(
  dir: string,
  options: AuthorizationOptions = {},
): Promise<{ credentials: BusCredentials; authConf: string; created: boolean }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const created = !existsSync(join(dir, ADMIN_PASSWORD));
  const credentials = created ? createBusCredentials() : await readCredentialsDir(dir);
  if (created) {
    for (const service of serviceNames) {
      await writeSecret(join(dir, seedFile(service)), `${credentials.services[service].seed}\n`);
    }
    await writeSecret(join(dir, ADMIN_PASSWORD), `${credentials.admin.password}\n`);
  }
  const authConf = join(dir, AUTH_CONF);
  await writeSecret(authConf, renderAuthorization(credentials, options));
  return { credentials, authConf, created };
}

/** Reads what ensureCredentialsDir wrote; a missing or damaged file is named. */
export async function readCredentialsDir(dir: string): Promise<BusCredentials> {
  const read = async (name: string) => {
    try {
      return (await readFile(join(dir, name), 'utf8')).trim();
    } catch (err) {
      throw new Error(`bus credentials: cannot read ${join(dir, name)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  const services: Partial<Record<ServiceName, NkeyUser>> = {};
  for (const service of serviceNames) {
    const seed = await read(seedFile(service));
    try {
      services[service] = { seed, publicKey: publicKeyOf(seed) };
    } catch (err) {
      throw new Error(`bus credentials: ${join(dir, seedFile(service))}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  return {
    services: services as Record<ServiceName, NkeyUser>,
    admin: { user: 'admin', password: await read(ADMIN_PASSWORD) },
  };
}

async function writeSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}
