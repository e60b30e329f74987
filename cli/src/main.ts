import { homedir } from 'node:os';
import { Command, CommanderError } from 'commander';
import { RecipeInvalidError } from '@muster/recipes';
import { agentsCommand } from './commands/agents.command.js';
import { buildsCommand } from './commands/builds.command.js';
import { channelsCommand } from './commands/channels.command.js';
import type { CliIo } from './commands/context.js';
import { eventsCommand } from './commands/events.command.js';
import { CommandExit, EXIT } from './commands/exit.js';
import { gcCommand } from './commands/gc.command.js';
import { groupsCommand } from './commands/groups.command.js';
import { machinesCommand } from './commands/machines.command.js';
import { profilesCommand } from './commands/profiles.command.js';
import { recipesCommand } from './commands/recipes.command.js';
import { releasesCommand } from './commands/releases.command.js';
import { rulesCommand } from './commands/rules.command.js';
import { siteCachesCommand } from './commands/site-caches.command.js';
import { sitesCommand } from './commands/sites.command.js';
import { bootstrapTokensCommand, tokensCommand } from './commands/tokens.command.js';
import { webhooksCommand } from './commands/webhooks.command.js';
import { ConfigResolutionError } from './config/cli-config.js';
import { ApiError, UnreachableError } from './http/api-client.js';

export { EXIT } from './commands/exit.js';

/** The whole command tree; later capabilities add their command group here. */
export function program(io: CliIo): Command {
  const root = new Command('muster')
    .description('The Muster API from the command line: tables for people, --json for scripts.')
    .option('--url <url>', 'base URL of the API (else MUSTER_URL, the config file, the local stack)')
    .option('--token <token>', 'API token (else MUSTER_TOKEN, the config file, the local stack)')
    .option('--json', 'print the JSON the API answered, for scripts')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const make of [
    sitesCommand,
    groupsCommand,
    profilesCommand,
    rulesCommand,
    machinesCommand,
    tokensCommand,
    bootstrapTokensCommand,
    agentsCommand,
    eventsCommand,
    webhooksCommand,
    recipesCommand,
    buildsCommand,
    releasesCommand,
    channelsCommand,
    gcCommand,
    siteCachesCommand,
  ]) {
    root.addCommand(make(io));
  }
  // Every sub-command reports usage errors through the root's handler (exit 2, not process.exit).
  const seal = (cmd: Command) => {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
      .showHelpAfterError('(add --help for usage)');
    cmd.commands.forEach(seal);
  };
  root.commands.forEach(seal);
  return root;
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  const full: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    home: homedir(),
    fetch: globalThis.fetch,
    signal: abort.signal,
    // Only the real stdout can be a terminal; a caller's own stdout says so itself (io.tty).
    ...(!io.stdout && process.stdout.isTTY ? { tty: { columns: process.stdout.columns || 80 } } : {}),
    ...io,
  };
  if (!io.signal) process.once('SIGINT', onSigint);
  try {
    await program(full).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommandExit) return err.code;
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof RecipeInvalidError) {
      full.stderr(`${err.message}\n`);
      return EXIT.failed;
    }
    if (err instanceof ApiError || err instanceof UnreachableError || err instanceof ConfigResolutionError) {
      full.stderr(`muster: ${err.message}\n`);
      return EXIT.failed;
    }
    full.stderr(`muster: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
