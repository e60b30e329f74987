import { Command } from 'commander';
import { collectList } from '../flags/flag-parsers.js';
import { cellText } from '../output/table.js';
import { type CliIo, CommandContext, defined, pagedCommand, type PageFlags, seg } from './context.js';

type Row = Record<string, unknown>;

export function webhooksCommand(io: CliIo): Command {
  const webhooks = new Command('webhooks').description('receivers of the fleet’s events (signed HTTP POSTs)');
  pagedCommand(webhooks, 'ls', 'webhooks').action(async (o: PageFlags, cmd: Command) => {
    await CommandContext.of(io, cmd).list(
      '/v1/webhooks',
      defined({ limit: o.limit, after: o.after }),
      'webhooks',
      [
        { header: 'WEBHOOK', value: (w: Row) => w['webhookId'], max: 36 },
        { header: 'URL', value: (w) => w['url'], max: 48 },
        { header: 'TYPES', value: (w) => w['types'], max: 40 },
        { header: 'SITE', value: (w) => w['site'], max: 20 },
        { header: 'CREATED', value: (w) => w['createdAt'], max: 24 },
      ],
      { all: o.all === true },
    );
  });
  webhooks
    .command('create')
    .description('register a receiver; its signing secret is shown once')
    .requiredOption('--url <url>', 'where events are POSTed')
    .option(
      '--types <types>',
      'CloudEvents types, comma list; a trailing * is a prefix (default: every type)',
      collectList,
    )
    .option('--site <siteId>', 'only events of this site')
    .action(async (o: { url: string; types?: string[]; site?: string }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      ctx.printRecord(
        await ctx.client.request('POST', '/v1/webhooks', {
          body: defined({ url: o.url, types: o.types, site: o.site }),
        }),
      );
      if (!ctx.json) ctx.note('the secret is shown only now: the receiver checks X-Muster-Signature with it');
    });
  webhooks
    .command('rm')
    .argument('<webhookId>')
    .description('delete a webhook: no more deliveries')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      await ctx.client.request('DELETE', `/v1/webhooks/${seg(id)}`);
      ctx.out(ctx.json ? JSON.stringify({ deleted: id }) : `deleted webhook ${id}`);
    });
  pagedCommand(webhooks, 'deliveries', 'deliveries')
    .argument('<webhookId>')
    .description('deliveries to a webhook, newest first: state, attempts, last error')
    .action(async (id: string, o: PageFlags, cmd: Command) => {
      await CommandContext.of(io, cmd).list(
        `/v1/webhooks/${seg(id)}/deliveries`,
        defined({ limit: o.limit, after: o.after }),
        'deliveries',
        [
          { header: 'EVENT', value: (d: Row) => d['eventId'], max: 36 },
          {
            header: 'TYPE',
            value: (d) => cellText(d['eventType']).replace(/^io\.muster\./, ''),
            max: 32,
          },
          { header: 'STATE', value: (d) => d['state'] },
          { header: 'ATTEMPTS', value: (d) => d['attempts'] },
          { header: 'STATUS', value: (d) => d['lastStatus'] },
          { header: 'NEXT', value: (d) => d['nextAttemptAt'], max: 24 },
          { header: 'ERROR', value: (d) => d['lastError'], max: 40 },
        ],
        { all: o.all === true },
      );
    });
  return webhooks;
}
