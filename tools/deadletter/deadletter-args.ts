/** What `npm run deadletter -- …` was asked to do (parsed, not yet done). */
export type DeadLetterCommand =
  | { kind: 'list'; consumer?: string; json: boolean }
  | { kind: 'show'; seq: number; json: boolean }
  | { kind: 'replay'; seq: number }
  | { kind: 'replay-all'; consumer: string }
  | { kind: 'purge'; seq: number }
  | { kind: 'purge-many'; consumer?: string; olderThanMs?: number };

export const USAGE = `usage: npm run deadletter -- COMMAND
  list [--consumer NAME] [--json]          dead letters, oldest first
  show SEQ [--json]                        one dead letter: reason, headers, body
  replay SEQ                               republish to the original subject, then remove it
  replay --consumer NAME --all             the same for every dead letter of a consumer
  purge SEQ                                remove one dead letter
  purge --consumer NAME [--older-than AGE] remove a consumer's dead letters
  purge --older-than AGE [--consumer NAME] remove those older than AGE (30m, 12h, 7d)
Connects to MUSTER_NATS_URL (and the other MUSTER_NATS_* settings).`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `7d` → milliseconds. */
export function parseAge(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match)
    throw new UsageError(`--older-than ${JSON.stringify(text)}: expected a number and s, m, h or d (7d)`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

export function parseDeadLetterArgs(argv: readonly string[]): DeadLetterCommand {
  const [verb, ...rest] = argv;
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--json' || arg === '--all') flags.set(arg, true);
    else if (arg === '--consumer' || arg === '--older-than') {
      const value = rest[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      flags.set(arg, value);
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  const consumer = flags.get('--consumer') as string | undefined;
  const olderThan = flags.get('--older-than') as string | undefined;
  const json = flags.has('--json');
  const seq = (): number => {
    if (positional.length !== 1 || !/^[1-9]\d*$/.test(positional[0]!)) {
      throw new UsageError(`${verb} takes one dead-letter sequence number`);
    }
    return Number(positional[0]);
  };
  switch (verb) {
    case 'list':
      if (positional.length > 0) throw new UsageError('list takes no sequence number');
      return { kind: 'list', ...(consumer ? { consumer } : {}), json };
    case 'show':
      return { kind: 'show', seq: seq(), json };
    case 'replay':
      if (positional.length === 0 && consumer) {
        if (!flags.has('--all')) throw new UsageError('replay --consumer NAME needs --all (or give one SEQ)');
        return { kind: 'replay-all', consumer };
      }
      return { kind: 'replay', seq: seq() };
    case 'purge':
      if (positional.length === 0 && (consumer || olderThan)) {
        return {
          kind: 'purge-many',
          ...(consumer ? { consumer } : {}),
          ...(olderThan ? { olderThanMs: parseAge(olderThan) } : {}),
        };
      }
      return { kind: 'purge', seq: seq() };
    default:
      throw new UsageError(verb ? `unknown command ${verb}` : 'no command');
  }
}
