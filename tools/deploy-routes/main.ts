// `npm run deploy:routes`: the compose nginx configuration and the Kubernetes Ingress, from the
// one routing table of the base URL (libs/contracts/src/http-routes.ts).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROUTE_FILES } from './render-routes.js';

const root = join(import.meta.dirname, '..', '..');
for (const [file, render] of Object.entries(ROUTE_FILES)) {
  await writeFile(join(root, file), render());
  process.stdout.write(`wrote ${file}\n`);
}
