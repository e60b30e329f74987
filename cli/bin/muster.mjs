#!/usr/bin/env node
// `npm exec muster -- …` / `npx muster …`: runs the CLI's TypeScript sources the way the
// repository's scripts run theirs (SWC on the fly), so the CLI works right after `npm install`.
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

process.env.SWC_NODE_PROJECT ??= fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
register('@swc-node/register/esm', import.meta.url);
// Runs before SWC's resolver: workspace libraries (@muster/recipes, …) resolve to their sources,
// not to a dist/ that was never built.
register('./source-conditions.mjs', import.meta.url);
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
