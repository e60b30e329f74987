import { TokenIssuer, TokenCache, TOKENS_STREAM, TokenNotFoundError } from '@muster/api-auth';
import { ensureStreams, type BusConnection } from '@muster/messaging';
import type { ApiTokenCommand } from './api-token-args.js';

const DAY_MS = 86_400_000;

/**
 * Runs one command as the bus administrator; the exit code. `create` prints the token alone on
 * stdout (for `$(npm run -s api-token -- create --name x)`), once: it is never stored.
 */
export async function runApiTokenCommand(
  bus: BusConnection,
  command: ApiTokenCommand,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  // The api service creates the bucket; a first token may come before it ever ran.
  await ensureStreams(bus.jsm, [TOKENS_STREAM]);
  const issuer = new TokenIssuer(bus);
  switch (command.kind) {
    case 'create': {
      const expiresAt =
        command.expiresInDays === undefined ? null : new Date(Date.now() + command.expiresInDays * DAY_MS);
      const { record, token } = await issuer.create({
        name: command.name,
        createdBy: 'api-token command',
        expiresAt,
      });
      err(
        `created ${record.tokenId} (${record.name}), ${expiresAt ? `expires ${record.expiresAt}` : 'never expires'}; it is shown only now:`,
      );
      out(token);
      return 0;
    }
    case 'list': {
      const cache = new TokenCache(bus).start();
      try {
        await cache.whenLoaded();
        const now = Date.now();
        for (const t of cache.all()) {
          const state =
            t.revokedAt !== null
              ? 'revoked'
              : t.expiresAt !== null && Date.parse(t.expiresAt) <= now
                ? 'expired'
                : 'active';
          out(
            [
              t.tokenId,
              state.padEnd(7),
              t.name,
              `expires ${t.expiresAt ?? 'never'}`,
              `last used ${cache.lastUsedAt(t.tokenId) ?? 'never'}`,
            ].join('  '),
          );
        }
      } finally {
        cache.close();
      }
      return 0;
    }
    case 'revoke':
      try {
        const { record, changed } = await issuer.revoke(command.tokenId, 'api-token command');
        err(
          changed
            ? `revoked ${record.tokenId} (${record.name})`
            : `${record.tokenId} (${record.name}) was already revoked at ${record.revokedAt}`,
        );
        return 0;
      } catch (e) {
        if (!(e instanceof TokenNotFoundError)) throw e;
        err(e.message);
        return 1;
      }
  }
}
