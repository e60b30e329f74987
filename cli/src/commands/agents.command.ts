import { Command } from 'commander';
import { parseDuration, parseJsonObject } from '../flags/flag-parsers.js';
import { type CliIo, CommandContext, defined, pagedCommand, type PageFlags, seg } from './context.js';

type Row = Record<string, unknown>;

/**
 * The command body: `collectFacts` → `{"collectFacts": {}}`; a JSON object (or @file) is one
 * AgentCommand case as protobuf-JSON, e.g. `{"runScript": {...}}`.
 */
export function agentCommandBody(spec: string): Record<string, unknown> {
  if (/^[a-z][A-Za-z0-9]*$/.test(spec)) return { [spec]: {} };
  return parseJsonObject(spec);
}

export function agentsCommand(io: CliIo): Command {
  const agents = new Command('agents').description('enrolled agents and their connections');
  pagedCommand(agents, 'ls', 'agents')
    .option('--site <siteId>')
    .option('--connected', 'only agents connected now')
    .option('--disconnected', 'only agents not connected now')
    .action(
      async (
        o: PageFlags & {
          site?: string;
          connected?: boolean;
          disconnected?: boolean;
        },
        cmd: Command,
      ) => {
        if (o.connected && o.disconnected)
          cmd.error('--connected and --disconnected exclude each other', { exitCode: 2 });
        const connected = o.connected ? 'true' : o.disconnected ? 'false' : undefined;
        await CommandContext.of(io, cmd).list(
          '/v1/agents',
          defined({ site: o.site, connected, limit: o.limit, after: o.after }),
          'agents',
          [
            { header: 'AGENT', value: (a: Row) => a['agentId'], max: 36 },
            { header: 'MACHINE', value: (a) => a['machineId'], max: 36 },
            { header: 'SITE', value: (a) => a['siteId'], max: 20 },
            { header: 'CONNECTED', value: (a) => (a['connected'] ? 'yes' : 'no') },
            { header: 'LAST SEEN', value: (a) => a['lastSeen'], max: 24 },
            { header: 'SEQ', value: (a) => a['lastSeq'] },
            { header: 'REVOKED', value: (a) => (a['revoked'] ? 'yes' : 'no') },
          ],
          { all: o.all === true },
        );
      },
    );
  agents
    .command('get')
    .argument('<agentId>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      ctx.printRecord(await ctx.client.get(`/v1/agents/${seg(id)}`));
    });
  agents
    .command('revoke')
    .argument('<agentId>')
    .description('revoke the agent’s credential (it must enroll again)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      ctx.printRecord((await ctx.client.request('POST', `/v1/agents/${seg(id)}/revoke`)) ?? { revoked: id });
    });
  agents
    .command('command')
    .argument('<agentId>')
    .argument('<command>', 'a command name (collectFacts) or one AgentCommand case as JSON / @file')
    .option('--expires-in <duration>', 'how long it may wait for an offline agent (e.g. 1h)', parseDuration)
    .description('send a signed command to an agent')
    .action(async (id: string, spec: string, o: { expiresIn?: number }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      let command: Record<string, unknown>;
      try {
        command = agentCommandBody(spec);
      } catch (err) {
        cmd.error(`<command>: ${(err as Error).message}`, { exitCode: 2 });
      }
      const body = defined({
        command,
        expiresInSeconds: o.expiresIn === undefined ? undefined : Math.round(o.expiresIn / 1000),
      });
      ctx.printRecord(await ctx.client.request('POST', `/v1/agents/${seg(id)}/commands`, { body }));
    });
  return agents;
}
