import { Command, Option } from 'commander';
import { parseJsonObject } from '../flags/flag-parsers.js';
import type { Column } from '../output/table.js';
import { type CliIo, CommandContext, defined, pagedCommand, type PageFlags, seg } from './context.js';

/** One field of a resource that `create` and `update` take as a flag. */
export interface FieldFlag {
  /** Commander flags, e.g. `--time-zone <zone>`. */
  flags: string;
  description: string;
  /** Where the value goes in the body: `timeZone`, or `match.network` for a nested field. */
  path: string;
  /** The commander option's attribute name (camelCase of the long flag). */
  attribute: string;
  parse?: (value: string, previous: never) => unknown;
  /** Turns the option's value into the body's (e.g. `--disabled` → `enabled: false`). */
  map?: (value: never) => unknown;
}

export interface ResourceSpec<T> {
  /** Command name: `sites`. */
  command: string;
  /** `site`, for messages. */
  noun: string;
  path: string;
  itemsKey: string;
  idField: string;
  /** Whether `create` takes the id as its argument (a slug chosen by the operator). */
  idOnCreate: 'argument' | 'option';
  columns: readonly Column<T>[];
  fields: readonly FieldFlag[];
}

/** Sets `a.b.c` in a body. */
export function setPath(body: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = body;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}

/** The body from `--data` (JSON or @file) with each field flag given on top of it. */
export function bodyFrom(
  fields: readonly FieldFlag[],
  options: Record<string, unknown>,
): Record<string, unknown> {
  const body = structuredClone((options['data'] as Record<string, unknown> | undefined) ?? {});
  for (const field of fields) {
    const value = options[field.attribute];
    if (value !== undefined) setPath(body, field.path, field.map ? field.map(value as never) : value);
  }
  return body;
}

function addFields(cmd: Command, fields: readonly FieldFlag[]): Command {
  for (const f of fields) {
    const option = new Option(f.flags, f.description);
    if (f.parse) option.argParser(f.parse as (value: string, previous: unknown) => unknown);
    cmd.addOption(option);
  }
  return cmd.option(
    '--data <json>',
    'the body as JSON, or @file.json; flags override its fields',
    parseJsonObject,
  );
}

/** `ls`, `get`, `create`, `update`, `rm` for one resource of the API. */
export function resourceCommands<T>(io: CliIo, spec: ResourceSpec<T>, describe: string): Command {
  const group = new Command(spec.command).description(describe);
  pagedCommand(group, 'ls', spec.command)
    .description(`list ${spec.command}`)
    .action(async (o: PageFlags, cmd: Command) => {
      await CommandContext.of(io, cmd).list(
        spec.path,
        defined({ limit: o.limit, after: o.after }),
        spec.itemsKey,
        spec.columns,
        {
          all: o.all === true,
        },
      );
    });
  group
    .command('get')
    .description(`one ${spec.noun}`)
    .argument('<id>', `${spec.idField}`)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      ctx.printRecord(await ctx.client.get(`${spec.path}/${seg(id)}`));
    });
  const create = group.command('create').description(`create a ${spec.noun}`);
  if (spec.idOnCreate === 'argument') create.argument('<id>', `${spec.idField} (a slug: letters, digits, -)`);
  else create.option('--id <id>', `${spec.idField} (chosen by the server when left out)`);
  addFields(create, spec.fields).action(async (...args: unknown[]) => {
    const cmd = args.at(-1) as Command;
    const options = cmd.opts<Record<string, unknown>>();
    const id = spec.idOnCreate === 'argument' ? (args[0] as string) : (options['id'] as string | undefined);
    const ctx = CommandContext.of(io, cmd);
    const body = { ...(id ? { [spec.idField]: id } : {}), ...bodyFrom(spec.fields, options) };
    ctx.printRecord(await ctx.client.request('POST', spec.path, { body }));
  });
  addFields(
    group.command('update').description(`change fields of a ${spec.noun}`).argument('<id>', spec.idField),
    spec.fields,
  ).action(async (id: string, options: Record<string, unknown>, cmd: Command) => {
    const ctx = CommandContext.of(io, cmd);
    const body = bodyFrom(spec.fields, options);
    if (Object.keys(body).length === 0) {
      cmd.error(
        `update needs at least one field (${spec.fields.map((f) => f.flags.split(' ')[0]).join(', ')} or --data)`,
        {
          exitCode: 2,
        },
      );
    }
    ctx.printRecord(await ctx.client.request('PATCH', `${spec.path}/${seg(id)}`, { body }));
  });
  group
    .command('rm')
    .description(`delete a ${spec.noun}`)
    .argument('<id>', spec.idField)
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      await ctx.client.request('DELETE', `${spec.path}/${seg(id)}`);
      if (ctx.json) ctx.out(JSON.stringify({ deleted: id }));
      else ctx.out(`deleted ${spec.noun} ${id}`);
    });
  return group;
}
