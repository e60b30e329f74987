// `npm run api-token -- create|list|revoke …`: operator API tokens, as the bus administrator.
import { ConfigError } from '@muster/config';
import { connectFromEnv } from '../deadletter/deadletter-connection.js';
import { parseApiTokenArgs, USAGE, UsageError } from './api-token-args.js';
import { runApiTokenCommand } from './api-token-commands.js';

async function main(): Promise<number> {
  let command;
  try {
    command = parseApiTokenArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return 64;
  }
  const bus = await connectFromEnv(process.env, 'api-token-tool');
  try {
    return await runApiTokenCommand(
      bus,
      command,
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
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
