import { Command } from 'commander';
import { parseHttpUrl } from '../flags/flag-parsers.js';
import { ApiClient } from '../http/api-client.js';
import {
  renderSiteCacheStatus,
  siteCacheColumns,
  type SiteCacheFigures,
  type SiteCacheRow,
} from '../output/site-cache-view.js';
import { type CliIo, CommandContext } from './context.js';

/** `site-caches`: the caches sites run in front of artifact-store. */
export function siteCachesCommand(io: CliIo): Command {
  const caches = new Command('site-caches')
    .alias('site-cache')
    .description('site caches: those that announced themselves, and one asked directly');
  caches
    .command('ls')
    .description('every site cache artifact-store heard announce itself, with its last figures')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const body = await ctx.client.get<{ siteCaches: SiteCacheRow[] }>('/v1/site-caches');
      ctx.printList(body, body.siteCaches, siteCacheColumns);
    });
  caches
    .command('status')
    .argument('<url>', "the cache's base URL, e.g. http://cache.branch-042:8090", parseHttpUrl)
    .description(
      "a site cache's own figures: disk use, chunks, hit ratio, bytes served, from the origin, saved",
    )
    .action(async (url: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      // The cache is another host: the operator's API token is not sent to it.
      const cache = new ApiClient({ url, token: '' }, io.fetch);
      const status = await cache.get<SiteCacheFigures & Record<string, unknown>>('/v1/status');
      ctx.out(ctx.json ? JSON.stringify(status, null, 2) : renderSiteCacheStatus(status));
    });
  return caches;
}
