// npm run contracts:gen — regenerates libs/contracts/src/gen from proto/.
import { GEN_DIR } from './build.ts';
import { regenerate } from './codegen.ts';
import { toolRoot } from './toolchain.ts';

try {
  const changes = regenerate(toolRoot);
  const touched = changes.stale.length + changes.missing.length + changes.extra.length;
  console.log(
    touched === 0
      ? `${GEN_DIR} is up to date`
      : `${GEN_DIR}: ${changes.missing.length} added, ${changes.stale.length} updated, ${changes.extra.length} removed`,
  );
} catch (err) {
  console.error(`contracts:gen failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
