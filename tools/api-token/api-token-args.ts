import { tokenNameSchema } from '@muster/api-auth';

/** What `npm run api-token -- …` was asked to do (parsed, not yet done). */
export type ApiTokenCommand =
  | { kind: 'create'; name: string; expiresInDays?: number }
  | { kind: 'list' }
  | { kind: 'revoke'; tokenId: string };

export const USAGE = `usage: npm run api-token -- COMMAND
  create --name NAME [--expires-in-days N]   a new operator API token, printed once
  list                                       every token: id, name, state, expiry
  revoke TOKEN_ID                            every service refuses it within seconds
Connects to MUSTER_NATS_URL as the bus administrator (nats://admin:PASSWORD@host:4222).`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseApiTokenArgs(argv: readonly string[]): ApiTokenCommand {
  const [verb, ...rest] = argv;
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--name' || arg === '--expires-in-days') {
      const value = rest[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      flags.set(arg, value);
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  switch (verb) {
    case 'create': {
      const name = flags.get('--name');
      if (name === undefined) throw new UsageError('create needs --name NAME');
      const parsed = tokenNameSchema.safeParse(name);
      if (!parsed.success)
        throw new UsageError(`--name ${JSON.stringify(name)}: ${parsed.error.issues[0]!.message}`);
      if (positional.length > 0) throw new UsageError(`unexpected ${positional.join(' ')}`);
      const days = flags.get('--expires-in-days');
      if (days === undefined) return { kind: 'create', name };
      if (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > 3650) {
        throw new UsageError(`--expires-in-days ${JSON.stringify(days)}: a whole number of days, 1–3650`);
      }
      return { kind: 'create', name, expiresInDays: Number(days) };
    }
    case 'list':
      if (positional.length > 0 || flags.size > 0) throw new UsageError('list takes no arguments');
      return { kind: 'list' };
    case 'revoke': {
      const [tokenId, ...more] = positional;
      if (tokenId === undefined || more.length > 0 || flags.size > 0)
        throw new UsageError('revoke needs one TOKEN_ID');
      if (!/^[0-9a-f]{16}$/.test(tokenId))
        throw new UsageError(`${JSON.stringify(tokenId)} is not a token id (16 hex digits)`);
      return { kind: 'revoke', tokenId };
    }
    default:
      throw new UsageError(verb === undefined ? 'no command' : `unknown command ${JSON.stringify(verb)}`);
  }
}
