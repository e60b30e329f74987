// npm run contracts:gen — regenerates libs/contracts/src/gen from proto/, then the published
// event catalogue and descriptor set (docs/events) from proto/ and the contracts table.
import { GEN_DIR } from './build.ts';
import { regenerate, type GenDiff } from './codegen.ts';
import { PUBLISHED_DIR, regeneratePublished } from './published.ts';
import { toolRoot } from './toolchain.ts';

function report(dir: string, changes: GenDiff): string {
  const touched = changes.stale.length + changes.missing.length + changes.extra.length;
  return touched === 0
    ? `${dir} is up to date`
    : `${dir}: ${changes.missing.length} added, ${changes.stale.length} updated, ${changes.extra.length} removed`;
}

try {
  // Order matters: the catalogue reads the table, which imports the freshly generated code.
  console.log(report(GEN_DIR, regenerate(toolRoot)));
  console.log(report(PUBLISHED_DIR, regeneratePublished(toolRoot)));
} catch (err) {
  console.error(`contracts:gen failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
