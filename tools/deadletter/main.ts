// `npm run deadletter -- list|show|replay|purge …`: an operator's view of the dead-letter stream.
import { ConfigError } from '@muster/config';
import { DeadLetterStore } from '@muster/messaging';
import { parseDeadLetterArgs, USAGE, UsageError } from './deadletter-args.js';
import { runDeadLetterCommand } from './deadletter-commands.js';
import { connectFromEnv } from './deadletter-connection.js';

async function main(): Promise<number> {
  let command;
  try {
    command = parseDeadLetterArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return 64;
  }
  const bus = await connectFromEnv();
  try {
    return await runDeadLetterCommand(new DeadLetterStore(bus), command, (line) =>
      process.stdout.write(`${line}\n`),
    );
  } finally {
    await bus.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  },
);
