import { Command } from 'commander';
import { channelColumns, type ChannelRow } from '../output/release-view.js';
import { type CliIo, CommandContext } from './context.js';

/** `channels`: which release each channel of each image and architecture points at. */
export function channelsCommand(io: CliIo): Command {
  const channels = new Command('channels').description('release channels: which release each one points at');
  channels
    .command('ls')
    .description('every channel of every image and architecture, with its release')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const body = await ctx.client.get<{ channels: ChannelRow[] }>('/v1/channels');
      ctx.printList(body, body.channels, channelColumns);
    });
  return channels;
}
