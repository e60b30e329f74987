import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadRecipe } from '@muster/recipes';
import { formatBytes } from '../output/progress.js';
import type { CliIo } from './context.js';

/** `recipes`: image recipes, checked on this machine before they are submitted. */
export function recipesCommand(io: CliIo): Command {
  const recipes = new Command('recipes').description('image recipes (YAML, with extends: layers)');
  recipes
    .command('validate')
    .description(
      'check a recipe and its extends: chain and print its digest; every problem names the file, line and field',
    )
    .argument('<file>')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const json = cmd.optsWithGlobals<{ json?: boolean }>().json === true;
      const { recipe, bundle, digest } = await loadRecipe(resolve(io.cwd, file));
      const blobs = Object.keys(bundle.blobs).length;
      if (json) {
        io.stdout(`${JSON.stringify({ digest, recipe }, null, 2)}\n`);
        return;
      }
      io.stdout(
        [
          `${recipe.name} ${recipe.version}: valid`,
          `layers    ${recipe.layers.map((l) => `${l.name} ${l.version}`).join(' → ')}`,
          `system    ${recipe.suite} ${recipe.architecture} (${recipe.variant}) from ${recipe.mirror}`,
          `packages  +${recipe.packages.install.length} -${recipe.packages.remove.length}`,
          `outputs   ${recipe.outputs.join(', ')}`,
          `bundle    ${blobs} file${blobs === 1 ? '' : 's'}, ${formatBytes(Buffer.byteLength(JSON.stringify(bundle)))}`,
          `digest    ${digest}`,
        ].join('\n') + '\n',
      );
    });
  return recipes;
}
