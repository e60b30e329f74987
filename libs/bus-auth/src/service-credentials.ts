import { randomBytes } from 'node:crypto';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { serviceNames, type ServiceName } from '@muster/contracts';

/** One NATS user: the seed stays with its service, the public key goes into the server's config. */
export interface NkeyUser {
  /** `U…`: what nats-server lists. */
  readonly publicKey: string;
  /** `SU…`: the secret a service signs the server's nonce with (MUSTER_NATS_NKEY_SEED). */
  readonly seed: string;
}

/** Everything a bus needs to authenticate: one nkey user per service and an administrator. */
export interface BusCredentials {
  readonly services: Readonly<Record<ServiceName, NkeyUser>>;
  /**
   * Full rights, for operators and test set-up (streams of any name, reading any subject);
   * never given to a service.
   */
  readonly admin: { readonly user: 'admin'; readonly password: string };
}

/** A fresh nkey user for each of the seven services, and a random administrator password. */
export function createBusCredentials(): BusCredentials {
  const services = Object.fromEntries(serviceNames.map((s) => [s, createNkeyUser()])) as Record<
    ServiceName,
    NkeyUser
  >;
  return { services, admin: { user: 'admin', password: randomBytes(24).toString('base64url') } };
}

export function createNkeyUser(): NkeyUser {
  const pair = createUser();
  return { publicKey: pair.getPublicKey(), seed: new TextDecoder().decode(pair.getSeed()) };
}

export class InvalidSeedError extends Error {
  override readonly name = 'InvalidSeedError';
}

/** The public key of a user seed; throws InvalidSeedError (never echoing the seed) if it is not one. */
export function publicKeyOf(seed: string): string {
  let publicKey: string;
  try {
    publicKey = fromSeed(new TextEncoder().encode(seed.trim())).getPublicKey();
  } catch {
    throw new InvalidSeedError('not an nkey seed (expected SU… as written by npm run bus:credentials)');
  }
  if (!publicKey.startsWith('U')) throw new InvalidSeedError('the nkey seed is not a user seed (SU…)');
  return publicKey;
}
