import { Command } from 'commander';
import { parseDuration, parsePositiveInt } from '../flags/flag-parsers.js';
import { type CliIo, CommandContext, defined, pagedCommand, type PageFlags, seg } from './context.js';

type Row = Record<string, unknown>;

/** `tokens`: the operators' API tokens (api service). */
export function tokensCommand(io: CliIo): Command {
  const tokens = new Command('tokens').description('API tokens of operators and scripts');
  pagedCommand(tokens, 'ls', 'tokens')
    .description('list API tokens (never their secret)')
    .action(async (o: PageFlags, cmd: Command) => {
      await CommandContext.of(io, cmd).list(
        '/v1/tokens',
        defined({ limit: o.limit, after: o.after }),
        'tokens',
        [
          { header: 'TOKEN', value: (t: Row) => t['tokenId'], max: 36 },
          { header: 'NAME', value: (t) => t['name'], max: 32 },
          { header: 'STATE', value: (t) => t['state'] },
          { header: 'CREATED', value: (t) => t['createdAt'], max: 24 },
          { header: 'EXPIRES', value: (t) => t['expiresAt'], max: 24 },
          { header: 'LAST USED', value: (t) => t['lastUsedAt'], max: 24 },
        ],
        { all: o.all === true },
      );
    });
  tokens
    .command('create')
    .description('create an API token; its secret is shown once')
    .requiredOption('--name <name>', 'who or what uses it')
    .option('--expires-in-days <n>', 'days until it expires', parsePositiveInt)
    .action(async (o: { name: string; expiresInDays?: number }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const created = await ctx.client.request<Row>('POST', '/v1/tokens', {
        body: defined({ name: o.name, expiresInDays: o.expiresInDays }),
      });
      ctx.printRecord(created);
      if (!ctx.json)
        ctx.note('the token is shown only now: keep it (MUSTER_TOKEN, or ~/.config/muster/config.json)');
    });
  tokens
    .command('revoke')
    .argument('<tokenId>')
    .description('revoke an API token')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      await ctx.client.request('DELETE', `/v1/tokens/${seg(id)}`);
      ctx.out(ctx.json ? JSON.stringify({ revoked: id }) : `revoked token ${id}`);
    });
  return tokens;
}

/** `bootstrap-tokens`: one-time, site-scoped enrollment tokens (agent-gateway). */
export function bootstrapTokensCommand(io: CliIo): Command {
  const tokens = new Command('bootstrap-tokens').description(
    'one-time, expiring, site-scoped agent enrollment tokens',
  );
  pagedCommand(tokens, 'ls', 'tokens').action(async (o: PageFlags, cmd: Command) => {
    await CommandContext.of(io, cmd).list(
      '/v1/bootstrap-tokens',
      defined({ limit: o.limit, after: o.after }),
      'bootstrapTokens',
      [
        { header: 'TOKEN', value: (t: Row) => t['tokenId'], max: 36 },
        { header: 'SITE', value: (t) => t['siteId'], max: 24 },
        { header: 'EXPIRES', value: (t) => t['expiresAt'], max: 24 },
        { header: 'STATE', value: (t) => t['state'] },
        { header: 'CLAIMED BY', value: (t) => t['claimedBy'], max: 24 },
        { header: 'NOTE', value: (t) => t['note'], max: 32 },
      ],
      { all: o.all === true },
    );
  });
  tokens
    .command('create')
    .description('issue a bootstrap token for one site; shown once')
    .requiredOption('--site <siteId>')
    .option('--expires-in <duration>', 'e.g. 12h, 7d (at most 7d; default 24h)', parseDuration)
    .option('--note <text>')
    .action(async (o: { site: string; expiresIn?: number; note?: string }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const body = defined({
        siteId: o.site,
        expiresInSeconds: o.expiresIn === undefined ? undefined : Math.round(o.expiresIn / 1000),
        note: o.note,
      });
      ctx.printRecord(await ctx.client.request('POST', '/v1/bootstrap-tokens', { body }));
    });
  tokens
    .command('revoke')
    .argument('<tokenId>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      await ctx.client.request('DELETE', `/v1/bootstrap-tokens/${seg(id)}`);
      ctx.out(ctx.json ? JSON.stringify({ revoked: id }) : `revoked bootstrap token ${id}`);
    });
  return tokens;
}
