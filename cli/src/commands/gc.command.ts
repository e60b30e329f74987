import { Command } from 'commander';
import { renderGcReport, type GcReport } from '../output/release-view.js';
import { type CliIo, CommandContext } from './context.js';

/** `gc`: artifact-store's retention and garbage collection, now. */
export function gcCommand(io: CliIo): Command {
  return new Command('gc')
    .description(
      'remove releases nothing keeps (no channel, no pin, not among the newest) and chunks no release uses',
    )
    .option('--dry-run', 'report what would go and remove nothing')
    .action(async (o: { dryRun?: boolean }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const report = await ctx.client.request<GcReport>('POST', '/v1/gc', {
        body: { dryRun: o.dryRun === true },
      });
      ctx.out(ctx.json ? JSON.stringify(report, null, 2) : renderGcReport(report));
    });
}
