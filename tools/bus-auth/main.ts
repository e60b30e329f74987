// `npm run bus:credentials -- --out DIR`: the NATS users of the seven services for a deployment.
// Writes DIR/<service>.nk (one nkey user seed each), DIR/admin.password and DIR/nats-auth.conf
// (the authorization block for nats-server to include), and DIR/seeds.env (the seeds as docker
// compose variables). Run again on the same DIR after an
// upgrade: the keys are kept and nats-auth.conf is rendered from the current bus manifests.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AUTH_CONF, ensureCredentialsDir } from '@muster/bus-auth';
import { serviceNames } from '@muster/contracts';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const i = argv.indexOf('--out');
  const out = i >= 0 ? argv[i + 1] : undefined;
  if (!out) {
    process.stderr.write('usage: npm run bus:credentials -- --out DIR\n');
    return 2;
  }
  const dir = resolve(out);
  const { created, credentials } = await ensureCredentialsDir(dir);
  // For docker compose: the seeds as the compose file's variables, to append to its .env.
  const env = serviceNames.map(
    (s) => `NATS_SEED_${s.toUpperCase().replace(/-/g, '_')}=${credentials.services[s].seed}`,
  );
  await writeFile(join(dir, 'seeds.env'), `${env.join('\n')}\n`, { mode: 0o600 });
  say(
    `${created ? 'created' : 'kept'} the bus credentials in ${dir} (readable by you only); wrote ${AUTH_CONF}`,
  );
  say('');
  say(`nats-server: include ${AUTH_CONF} in its configuration (deploy/README.md), then reload it.`);
  say('docker compose: append seeds.env to deploy/compose/.env.');
  say('Kubernetes: one Secret per service, e.g.');
  for (const s of serviceNames) {
    say(`  kubectl -n muster create secret generic muster-nats-${s} --from-file=nkey-seed=${dir}/${s}.nk`);
  }
  return 0;
}

process.exit(await main(process.argv.slice(2)));
