import { Command, Option } from 'commander';
import { parseNonNegativeInt } from '../flags/flag-parsers.js';
import {
  deltaColumns,
  deltaTotal,
  releaseColumns,
  renderRelease,
  type DeltaPlan,
  type ReleaseDetail,
} from '../output/release-view.js';
import { type CliIo, CommandContext, defined, pagedCommand, type PageFlags, seg } from './context.js';
import { verifyCommand } from './release-verify.command.js';

export const RELEASE_STATES = ['published', 'revoked'] as const;

interface LsFlags extends PageFlags {
  image?: string;
  arch?: string;
  channel?: string;
  state?: string;
}

/** The query of `GET /v1/releases` from the flags of `releases ls`. */
export function releasesQuery(o: LsFlags) {
  return defined({
    image: o.image,
    architecture: o.arch,
    channel: o.channel,
    state: o.state,
    limit: o.limit,
    after: o.after,
  });
}

/** `releases`: the signed releases artifact-store made of completed builds. */
export function releasesCommand(io: CliIo): Command {
  const releases = new Command('releases').description(
    'signed releases of images: list, show, verify against your keys, promote, revoke, plan deltas',
  );
  pagedCommand(releases, 'ls', 'releases')
    .description('list releases, newest first')
    .option('--image <name>', 'of this image')
    .option('--arch <architecture>', 'for this architecture')
    .option('--channel <channel>', 'promoted to this channel')
    .addOption(new Option('--state <state>', 'in this state').choices(RELEASE_STATES))
    .action(async (o: LsFlags, cmd: Command) => {
      await CommandContext.of(io, cmd).list('/v1/releases', releasesQuery(o), 'releases', releaseColumns, {
        all: o.all === true,
      });
    });
  releases
    .command('show')
    .argument('<releaseId>')
    .description(
      'one release: its files with sizes, chunks and stored bytes, channels, document expiry, pins',
    )
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const release = await ctx.client.get<ReleaseDetail>(`/v1/releases/${seg(id)}`);
      ctx.out(ctx.json ? JSON.stringify(release, null, 2) : renderRelease(release));
    });
  verifyCommand(io, releases);
  releases
    .command('promote')
    .argument('<releaseId>')
    .description("point a channel of the release's image and architecture at it (the document is re-signed)")
    .requiredOption('--channel <channel>', 'the channel, e.g. stable')
    .option(
      '--rollback-floor <sequence>',
      "raise the image's rollback floor to this sequence (never lowers it)",
      parseNonNegativeInt,
    )
    .action(async (id: string, o: { channel: string; rollbackFloor?: number }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const answer = await ctx.client.request<{ channel: string; previous: string | null }>(
        'POST',
        `/v1/releases/${seg(id)}/promote`,
        { body: defined({ channel: o.channel, rollbackFloor: o.rollbackFloor }) },
      );
      if (ctx.json) return ctx.out(JSON.stringify(answer));
      ctx.out(
        `release ${id} is on channel ${answer.channel}${answer.previous ? ` (it was ${answer.previous})` : ''}`,
      );
    });
  releases
    .command('revoke')
    .argument('<releaseId>')
    .description('withdraw a release: it leaves its channels and its document is no longer served')
    .requiredOption('--reason <text>', 'why (kept with the release)')
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const answer = await ctx.client.request<{ state: string; leftChannels: string[] }>(
        'POST',
        `/v1/releases/${seg(id)}/revoke`,
        { body: { reason: o.reason } },
      );
      if (ctx.json) return ctx.out(JSON.stringify(answer));
      const left = answer.leftChannels.length > 0 ? `; it left ${answer.leftChannels.join(', ')}` : '';
      ctx.out(`release ${id}: ${answer.state}${left}`);
    });
  releases
    .command('delta')
    .argument('<releaseId>')
    .description('what a machine holding --from still needs to fetch of this release, file by file')
    .requiredOption('--from <releaseId>', 'the release the machine holds')
    .action(async (id: string, o: { from: string }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const plan = await ctx.client.request<DeltaPlan>('POST', `/v1/releases/${seg(id)}/delta-plan`, {
        body: { fromRelease: o.from },
      });
      ctx.printList(plan, plan.files, deltaColumns);
      if (!ctx.json) ctx.out(deltaTotal(plan));
    });
  return releases;
}
