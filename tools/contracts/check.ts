// npm run contracts:check [-- --against REV] — format, lint, breaking changes and drift of
// the contracts. The base revision may also be set with MUSTER_CONTRACTS_BASE.
import { parseArgs } from 'node:util';
import { runChecks } from './checks.ts';
import { toolRoot } from './toolchain.ts';

const { values } = parseArgs({ options: { against: { type: 'string' } } });
const against = values.against ?? (process.env['MUSTER_CONTRACTS_BASE'] || undefined);

const results = runChecks(toolRoot, against === undefined ? {} : { against });
for (const r of results) {
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.step}: ${r.message}`);
  if (!r.ok && r.details) console.log(r.details.replace(/^/gm, '     '));
}
if (results.some((r) => !r.ok)) {
  console.error('contracts:check failed');
  process.exitCode = 1;
}
