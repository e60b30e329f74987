// `npm run build`: every workspace package's src/ compiled to dist/, which its package.json
// exports under the `default` condition (the container images run it; see ADR 1).
import { relative } from 'node:path';
import { compilePackage, REPO_ROOT, swcOptions, workspacePackages } from './compile-workspace.ts';

try {
  const options = await swcOptions();
  let total = 0;
  for (const dir of await workspacePackages()) {
    const count = await compilePackage(dir, options);
    total += count;
    console.log(`build: ${relative(REPO_ROOT, dir)}/dist (${count} files)`);
  }
  console.log(`build: ${total} files compiled`);
} catch (err) {
  console.error(`build failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
