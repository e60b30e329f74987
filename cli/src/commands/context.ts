import type { Command } from 'commander';
import { resolveConfig } from '../config/cli-config.js';
import { parsePositiveInt } from '../flags/flag-parsers.js';
import { ApiClient, pageOf, type Query } from '../http/api-client.js';
import { renderRecord, renderTable, type Column } from '../output/table.js';

/** What the CLI touches outside itself; the tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  home: string;
  fetch: typeof fetch;
  /** Aborted on Ctrl-C: long-running commands (events tail) stop cleanly. */
  signal: AbortSignal;
  /** Set when stdout is a terminal: progress is drawn in place, `columns` wide. */
  tty?: { columns: number };
}

/** The paging flags of a list command, which CommandContext.list follows. */
export interface PageFlags {
  limit?: number;
  after?: string;
  all?: boolean;
}

/** A list sub-command of `parent` with --limit, --after and --all; `what` names its items in the help. */
export function pagedCommand(parent: Command, name: string, what: string): Command {
  return parent
    .command(name)
    .option('--limit <n>', `${what} per page`, parsePositiveInt)
    .option('--after <cursor>', 'the page after this cursor (the `next` of the previous page)')
    .option('--all', 'follow the cursors to the end');
}

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** A command's view of the CLI: the configured client and the two ways of printing. */
export class CommandContext {
  private clientInstance: ApiClient | undefined;
  readonly json: boolean;

  constructor(
    readonly io: CliIo,
    private readonly globals: GlobalOptions,
  ) {
    this.json = globals.json === true;
  }

  static of(io: CliIo, cmd: Command): CommandContext {
    return new CommandContext(io, cmd.optsWithGlobals<GlobalOptions>());
  }

  get client(): ApiClient {
    this.clientInstance ??= new ApiClient(
      resolveConfig({
        flags: { url: this.globals.url, token: this.globals.token },
        env: this.io.env,
        home: this.io.home,
        cwd: this.io.cwd,
      }),
      this.io.fetch,
    );
    return this.clientInstance;
  }

  out(text: string): void {
    this.io.stdout(`${text}\n`);
  }

  note(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  /** `--json`: the answer as the server sent it; otherwise a table. */
  printList<T>(body: unknown, rows: readonly T[], columns: readonly Column<T>[]): void {
    if (this.json) this.out(JSON.stringify(body, null, 2));
    else this.out(rows.length === 0 ? '(none)' : renderTable(rows, columns));
  }

  printRecord(record: unknown): void {
    if (this.json || typeof record !== 'object' || record === null) this.out(JSON.stringify(record, null, 2));
    else this.out(renderRecord(record as Record<string, unknown>));
  }

  /**
   * A list command: one page (`--limit`, `--after`), or with `--all` every page. With `--json`
   * one page prints the server's answer (with its `next`); `--all` prints
   * `{ "<items>": [every item] }`. Resolves with the page the server answered (the last one
   * with `--all`), for what else it holds.
   */
  async list<T>(
    path: string,
    query: Query,
    itemsKey: string,
    columns: readonly Column<T>[],
    options: { all?: boolean } = {},
  ): Promise<unknown> {
    if (options.all) {
      const items: T[] = [];
      const { after: _after, ...rest } = query;
      let last: unknown;
      for await (const page of this.client.pages(path, rest, itemsKey)) {
        items.push(...pageOf<T>(page, itemsKey).items);
        last = page;
      }
      this.printList({ [itemsKey]: items }, items, columns);
      return last;
    }
    const body = await this.client.get(path, query);
    const record = body as Record<string, unknown>;
    const key = Array.isArray(record[itemsKey])
      ? itemsKey
      : Object.keys(record).find((k) => Array.isArray(record[k]));
    const rows = (key ? record[key] : []) as T[];
    this.printList(body, rows, columns);
    if (!this.json && typeof record['next'] === 'string') {
      this.note(`more: --after ${record['next']} (or --all)`);
    }
    return body;
  }
}

/** Removes undefined fields, so an update sends only what was given. */
export function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `encodeURIComponent` for a path segment. */
export const seg = (id: string): string => encodeURIComponent(id);
