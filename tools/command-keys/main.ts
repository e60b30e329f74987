// `npm run command-keys -- generate [--id KEY_ID]`: a new Ed25519 command-signing key, printed
// as one `<keyId>:<base64 seed>` entry for MUSTER_COMMAND_SIGNING_KEYS (a secret: keep it in
// the deployment's secret store), and its public key on standard error.
import { generateSigningKey, keyRingEntry, publicKeyBytes } from '@muster/command-signing';

function main(argv: readonly string[]): number {
  if (argv[0] !== 'generate') {
    process.stderr.write('usage: npm run command-keys -- generate [--id KEY_ID]\n');
    return 2;
  }
  const i = argv.indexOf('--id');
  const keyId =
    (i >= 0 ? argv[i + 1] : undefined) ?? `muster-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  try {
    const { key, seed } = generateSigningKey(keyId);
    process.stdout.write(`${keyRingEntry(keyId, seed)}\n`);
    process.stderr.write(`public key of ${keyId}: ${Buffer.from(publicKeyBytes(key)).toString('base64')}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
}

process.exit(main(process.argv.slice(2)));
