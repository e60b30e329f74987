import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import {
  formatProblem,
  loadRecipe,
  RecipeBundleError,
  RecipeInvalidError,
  type RecipeBundle,
} from '@muster/recipes';
import { ApiError } from '../http/api-client.js';
import {
  buildColumns,
  packageColumns,
  queueLine,
  renderBuild,
  type BuildDetail,
  type PackageRow,
  type ProvenanceSummary,
} from '../output/build-view.js';
import { formatBytes } from '../output/progress.js';
import { readBuildLog, TERMINAL_STATES } from './build-log.js';
import { logView } from './build-log-view.js';
import { type CliIo, CommandContext, defined, pagedCommand, type PageFlags, seg } from './context.js';
import { CommandExit, EXIT } from './exit.js';

export const PRIORITIES = ['low', 'normal', 'high'] as const;
export const BUILD_STATES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'] as const;

export interface SubmitOptions {
  priority?: (typeof PRIORITIES)[number];
  refreshCache?: boolean;
  follow?: boolean;
}

/** The body of `POST /v1/builds`: what the server defaults is left out. */
export function submitBody(bundle: RecipeBundle, o: SubmitOptions): Record<string, unknown> {
  return { bundle, ...defined({ priority: o.priority, cache: o.refreshCache ? 'refresh' : undefined }) };
}

interface Accepted {
  buildId: string;
  recipeDigest: string;
  state: string;
}

/** `builds`: image builds on image-build, from a recipe on this machine. */
export function buildsCommand(io: CliIo): Command {
  const builds = new Command('builds').description(
    'image builds: submit a recipe, follow it, get what it made',
  );
  builds
    .command('submit')
    .description('check and bundle a recipe here, then queue its build')
    .argument('<recipe>', 'recipe YAML file (its extends: chain and files are bundled with it)')
    .addOption(new Option('--priority <priority>', 'place in the queue').choices(PRIORITIES))
    .option('--refresh-cache', 'rebuild the cached base layer instead of reusing it')
    .option(
      '--follow',
      `follow the build's log to its end; exit ${EXIT.buildFailed} if it fails or is cancelled`,
    )
    .action(async (file: string, o: SubmitOptions, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const { recipe, bundle, digest } = await loadForSubmit(ctx, file);
      const accepted = await ctx.client.request<Accepted>('POST', '/v1/builds', {
        body: submitBody(bundle, o),
      });
      if (accepted.recipeDigest !== digest) {
        ctx.note(
          `warning: image-build computed the recipe digest ${accepted.recipeDigest}, this machine ${digest}; are the CLI and the server of one version?`,
        );
      }
      if (ctx.json) ctx.out(JSON.stringify(accepted, null, o.follow ? undefined : 2));
      else
        ctx.out(
          `build ${accepted.buildId} ${accepted.state}: ${recipe.name} ${recipe.version}, digest ${digest}`,
        );
      if (o.follow) await showLog(ctx, accepted.buildId, true);
      else if (!ctx.json) ctx.note(`follow it: muster builds logs ${accepted.buildId} --follow`);
    });
  pagedCommand(builds, 'ls', 'builds')
    .description('list builds, newest first, with the queue')
    .addOption(new Option('--state <state>', 'in this state').choices(BUILD_STATES))
    .option('--recipe <name>', 'of this recipe')
    .action(async (o: PageFlags & { state?: string; recipe?: string }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const body = await ctx.list(
        '/v1/builds',
        defined({ state: o.state, recipe: o.recipe, limit: o.limit, after: o.after }),
        'builds',
        buildColumns,
        { all: o.all === true },
      );
      const queue = queueLine((body as { queue?: unknown } | undefined)?.queue);
      if (!ctx.json && queue) ctx.note(queue);
    });
  builds
    .command('show')
    .argument('<buildId>')
    .description('one build: its state, its outputs with their SHA-256, its provenance in short')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const build = await ctx.client.get<BuildDetail>(`/v1/builds/${seg(id)}`);
      if (ctx.json) return ctx.out(JSON.stringify(build, null, 2));
      const provenance = build.state === 'succeeded' ? await provenanceOf(ctx, id) : undefined;
      ctx.out(renderBuild(build, provenance));
    });
  builds
    .command('logs')
    .argument('<buildId>')
    .description(`a build's log; --follow waits for its end (a progress bar on a terminal)`)
    .option(
      '--follow',
      `follow the log to the build's end; exit ${EXIT.buildFailed} if it fails or is cancelled`,
    )
    .action(async (id: string, o: { follow?: boolean }, cmd: Command) => {
      await showLog(CommandContext.of(io, cmd), id, o.follow === true);
    });
  builds
    .command('cancel')
    .argument('<buildId>')
    .description('cancel a queued or running build')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const answer = await ctx.client.request<{ state: string }>('POST', `/v1/builds/${seg(id)}/cancel`);
      ctx.out(ctx.json ? JSON.stringify(answer) : `build ${id}: ${answer.state}`);
    });
  documentCommand(io, builds, 'provenance', 'provenance', 'how the build was made (JSON)');
  documentCommand(io, builds, 'sbom', 'sbom', 'what the image holds (CycloneDX JSON)');
  builds
    .command('packages')
    .argument('<buildId>')
    .description('every package the build installed, as the archive described it')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const body = await ctx.client.get<{ packages: PackageRow[] }>(`/v1/builds/${seg(id)}/packages`);
      ctx.printList(body, body.packages, packageColumns);
      if (!ctx.json) ctx.note(`${body.packages.length} package${body.packages.length === 1 ? '' : 's'}`);
    });
  return builds;
}

/** The recipe loaded and bundled; problems are printed one a line, and exit 2. */
async function loadForSubmit(ctx: CommandContext, file: string): ReturnType<typeof loadRecipe> {
  try {
    return await loadRecipe(resolve(ctx.io.cwd, file));
  } catch (err) {
    if (err instanceof RecipeInvalidError) {
      for (const p of err.problems) ctx.note(formatProblem(p));
      throw new CommandExit(EXIT.usage);
    }
    if (err instanceof RecipeBundleError) {
      ctx.note(`muster: ${err.message}`);
      throw new CommandExit(EXIT.usage);
    }
    throw err;
  }
}

async function provenanceOf(ctx: CommandContext, id: string): Promise<ProvenanceSummary | undefined> {
  try {
    return await ctx.client.get<ProvenanceSummary>(`/v1/builds/${seg(id)}/provenance`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** `provenance` and `sbom`: the document as the server sent it, to stdout or `-o FILE`. */
function documentCommand(io: CliIo, builds: Command, name: string, path: string, what: string): void {
  builds
    .command(name)
    .argument('<buildId>')
    .description(`${what}; -o writes the exact bytes to a file`)
    .option('-o, --output <file>', 'write it to this file')
    .action(async (id: string, o: { output?: string }, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      const res = await ctx.client.open('GET', `/v1/builds/${seg(id)}/${path}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (!o.output) {
        const text = bytes.toString('utf8');
        io.stdout(text.endsWith('\n') ? text : `${text}\n`);
        return;
      }
      await writeFile(resolve(io.cwd, o.output), bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      ctx.note(`wrote ${o.output} (${formatBytes(bytes.length)}, sha256 ${sha256})`);
    });
}

/**
 * The log of a build: what there is so far, or with `follow` to the build's end. Ends with the
 * build's last state; exit 3 when it failed or was cancelled.
 */
async function showLog(ctx: CommandContext, id: string, follow: boolean): Promise<void> {
  let untilQuiet = false;
  if (!follow) {
    const build = await ctx.client.get<BuildDetail>(`/v1/builds/${seg(id)}`);
    untilQuiet = !TERMINAL_STATES.has(build.state ?? '');
  }
  const view = logView(ctx);
  let state: string | undefined;
  try {
    state = await readBuildLog(ctx, id, view, { untilQuiet });
  } finally {
    view.close();
  }
  if (state === undefined) {
    if (ctx.io.signal.aborted)
      ctx.note(`stopped following build ${id}; it goes on (muster builds cancel ${id} stops it)`);
    else ctx.note(`build ${id} is still running: muster builds logs ${id} --follow`);
    return;
  }
  if (ctx.json) ctx.out(JSON.stringify({ event: 'end', state }));
  else if (state === 'failed') {
    const build = await ctx.client.get<BuildDetail>(`/v1/builds/${seg(id)}`);
    const where = build.phase ? ` in ${build.phase}` : '';
    const retry = build.retryable ? ' (it may succeed if submitted again)' : '';
    ctx.note(`build ${id} failed${where}: ${build.error ?? 'no reason given'}${retry}`);
  } else if (state === 'cancelled') ctx.note(`build ${id} was cancelled`);
  else ctx.note(`build ${id} ${state}: muster builds show ${id}`);
  if (state === 'failed' || state === 'cancelled') throw new CommandExit(EXIT.buildFailed);
}
