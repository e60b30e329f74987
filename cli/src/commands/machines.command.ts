import { Command, Option } from 'commander';
import { applyLabelEdits, collectSelector, parseTime } from '../flags/flag-parsers.js';
import type { Column } from '../output/table.js';
import { type CliIo, CommandContext, defined, pagedCommand, type PageFlags, seg } from './context.js';

interface Machine {
  machineId: string;
  hostname?: string;
  siteId?: string;
  groupId?: string;
  profileId?: string;
  state?: string;
  desiredReleaseId?: string;
  currentReleaseId?: string;
  lastSeen?: string;
  labels?: Record<string, string>;
}

/** `MACHINE_STATE_DEPLOYED` → `deployed`: the people's spelling of an enum value. */
const short = (value: string | undefined) => value?.replace(/^MACHINE_STATE_/, '').toLowerCase();

export const machineColumns: readonly Column<Machine>[] = [
  { header: 'MACHINE', value: (m) => m.machineId, max: 36 },
  { header: 'HOSTNAME', value: (m) => m.hostname, max: 24 },
  { header: 'SITE', value: (m) => m.siteId, max: 20 },
  { header: 'GROUP', value: (m) => m.groupId, max: 16 },
  { header: 'PROFILE', value: (m) => m.profileId, max: 16 },
  { header: 'STATE', value: (m) => short(m.state) },
  { header: 'RUNNING', value: (m) => m.currentReleaseId, max: 36 },
  { header: 'DESIRED', value: (m) => m.desiredReleaseId, max: 36 },
  { header: 'LAST SEEN', value: (m) => m.lastSeen, max: 24 },
  { header: 'LABELS', value: (m) => m.labels, max: 40 },
];

const SORTS = ['machineId', 'lastSeen', '-lastSeen', 'hostname', 'updatedAt', '-updatedAt'];
const STATES = ['discovered', 'assigned', 'installing', 'deployed', 'failed', 'retired'];

interface LsOptions extends PageFlags {
  site?: string;
  group?: string;
  profile?: string;
  state?: string;
  label?: string[];
  release?: string;
  seenBefore?: string;
  seenAfter?: string;
  q?: string;
  sort?: string;
}

/** The query of `GET /v1/machines` from the flags of `machines ls`. */
export function machineQuery(o: LsOptions): Record<string, string | number | undefined> {
  return defined({
    site: o.site,
    group: o.group,
    profile: o.profile,
    state: o.state,
    label: o.label && o.label.length > 0 ? o.label.join(',') : undefined,
    release: o.release,
    seenBefore: o.seenBefore,
    seenAfter: o.seenAfter,
    q: o.q,
    sort: o.sort,
    limit: o.limit,
    after: o.after,
  });
}

export function machinesCommand(io: CliIo): Command {
  const machines = new Command('machines').description('machines through their life');
  pagedCommand(machines, 'ls', 'machines')
    .description('list machines (filters combine)')
    .option('--site <siteId>', 'at this site')
    .option('--group <groupId>', 'in this group')
    .option('--profile <profileId>', 'with this profile')
    .addOption(new Option('--state <state>', 'in this lifecycle state').choices(STATES))
    .option(
      '--label <selector>',
      'label selector k=v, k!=v, k, !k (repeatable or comma list)',
      collectSelector,
    )
    .option('--release <releaseId>', 'desired or observed release')
    .option('--seen-before <time>', 'last seen before (RFC 3339, or an age: 2h, 7d)', (v: string) =>
      parseTime(v),
    )
    .option('--seen-after <time>', 'last seen after (RFC 3339, or an age: 2h, 7d)', (v: string) =>
      parseTime(v),
    )
    .option('--q <prefix>', 'hostname or serial prefix')
    .addOption(new Option('--sort <order>', 'order of the list').choices(SORTS))
    .action(async (o: LsOptions, cmd: Command) => {
      await CommandContext.of(io, cmd).list('/v1/machines', machineQuery(o), 'machines', machineColumns, {
        all: o.all === true,
      });
    });
  machines
    .command('get')
    .argument('<machineId>')
    .description('one machine')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      ctx.printRecord(await ctx.client.get(`/v1/machines/${seg(id)}`));
    });
  pagedCommand(machines, 'history', 'entries')
    .argument('<machineId>')
    .description('every change of a machine, with who or what made it')
    .action(async (id: string, o: PageFlags, cmd: Command) => {
      await CommandContext.of(io, cmd).list(
        `/v1/machines/${seg(id)}/history`,
        defined({ limit: o.limit, after: o.after }),
        'history',
        [
          {
            header: 'AT',
            value: (h: Record<string, unknown>) => h['at'] ?? h['createdAt'] ?? h['recordedAt'],
            max: 28,
          },
          { header: 'KIND', value: (h) => h['kind'], max: 20 },
          { header: 'ACTOR', value: (h) => h['actor'] ?? h['by'], max: 24 },
          {
            header: 'DETAIL',
            value: (h) => (h['detail'] ? JSON.stringify(h['detail']) : undefined),
            max: 60,
          },
        ],
        { all: o.all === true },
      );
    });
  machines
    .command('assign')
    .argument('<machineId>')
    .description('operator override: site, group, profile (pins the machine against rules)')
    .option('--site <siteId>')
    .option('--group <groupId>')
    .option('--profile <profileId>')
    .action(async (id: string, o: { site?: string; group?: string; profile?: string }, cmd: Command) => {
      const body = defined({ siteId: o.site, groupId: o.group, profileId: o.profile });
      if (Object.keys(body).length === 0)
        cmd.error('assign needs --site, --group or --profile', { exitCode: 2 });
      const ctx = CommandContext.of(io, cmd);
      ctx.printRecord(await ctx.client.request('POST', `/v1/machines/${seg(id)}/assign`, { body }));
    });
  machines
    .command('label')
    .argument('<machineId>')
    .argument('<edits...>', 'k=v sets a label, k- removes it')
    .description('set or remove labels')
    .action(async (id: string, edits: string[], _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const current = await ctx.client.get<Machine>(`/v1/machines/${seg(id)}`);
      const labels = applyLabelEdits(current.labels ?? {}, edits);
      ctx.printRecord(await ctx.client.request('PATCH', `/v1/machines/${seg(id)}`, { body: { labels } }));
    });
  machines
    .command('transition')
    .argument('<machineId>')
    .addArgument(new Command().createArgument('<state>', 'the next state').choices(STATES))
    .requiredOption('--reason <text>', 'why (kept in the history)')
    .description('move a machine to another lifecycle state (only legal moves)')
    .action(async (id: string, state: string, o: { reason: string }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      ctx.printRecord(
        await ctx.client.request('POST', `/v1/machines/${seg(id)}/transition`, {
          body: { state, reason: o.reason },
        }),
      );
    });
  machines
    .command('retire')
    .argument('<machineId>')
    .requiredOption('--reason <text>', 'why (kept in the history)')
    .description('retire a machine')
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      ctx.printRecord(
        await ctx.client.request('POST', `/v1/machines/${seg(id)}/retire`, { body: { reason: o.reason } }),
      );
    });
  return machines;
}
