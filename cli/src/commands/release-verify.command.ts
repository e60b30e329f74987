import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { DeliveryClient } from '@muster/chunks';
import type { TrustedKey } from '@muster/command-signing';
import { parseHttpUrl } from '../flags/flag-parsers.js';
import { collectTrustedKeys, readTrustedKeysFile } from '../flags/trusted-keys.js';
import { formatBytes, TerminalProgress } from '../output/progress.js';
import { type CliIo, CommandContext } from './context.js';
import { CommandExit, EXIT } from './exit.js';
import { verifyReleaseFully, type VerifyCheck } from './release-verify.js';

interface VerifyFlags {
  key?: TrustedKey[];
  from?: string;
  keysFile?: string;
  files?: boolean;
}

/** `✓ root.squashfs  manifest 1a2b…: 12 chunks` / `✗ document  refused (unknown-key): …`. */
export function checkLine(c: VerifyCheck): string {
  const what = c.check === 'document' ? 'document' : `${c.file ?? '?'} ${c.check}`;
  return c.ok ? `✓ ${what}: ${c.detail}` : `✗ ${what}: refused (${c.reason ?? '?'}): ${c.detail}`;
}

/** The trusted keys of `--key` and `--keys-file`: at least one, each id once. */
export function trustedKeysOf(o: VerifyFlags, cwd: string): TrustedKey[] {
  const keys = [...(o.key ?? []), ...(o.keysFile ? readTrustedKeysFile(resolve(cwd, o.keysFile)) : [])];
  if (keys.length === 0)
    throw new InvalidArgumentError(
      'give the keys you trust: --key <keyId>:<base64 public key> or --keys-file F',
    );
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.keyId)) throw new InvalidArgumentError(`key ${k.keyId} is given twice`);
    ids.add(k.keyId);
  }
  return keys;
}

/** `releases verify`: the release checked here, against keys the operator holds. */
export function verifyCommand(io: CliIo, releases: Command): void {
  releases
    .command('verify')
    .argument('<releaseId>')
    .description(
      `check a release's signed document against keys you trust, and each file's manifest; exit ${EXIT.releaseRefused} when refused`,
    )
    .option(
      '--key <keyId:publicKey>',
      'a trusted release key, <keyId>:<base64 Ed25519 public key> (repeatable)',
      collectTrustedKeys,
    )
    .option('--keys-file <file>', 'trusted keys, one <keyId>:<base64 public key> a line')
    .option(
      '--from <url>',
      'read the release from this base URL instead, e.g. a site cache (no token needed)',
      parseHttpUrl,
    )
    .option(
      '--files',
      'also fetch every chunk and check it and each whole file (a progress bar on a terminal)',
    )
    .action(async (id: string, o: VerifyFlags, cmd: Command) => {
      let trusted: TrustedKey[];
      try {
        trusted = trustedKeysOf(o, io.cwd);
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err;
        cmd.error(`error: ${err.message}`, { exitCode: EXIT.usage });
      }
      const ctx = CommandContext.of(io, cmd);
      // Delivery routes take no token: what they serve is checked here, not trusted.
      const source = new DeliveryClient(o.from ?? ctx.client.baseUrl);
      const progress = !ctx.json && io.tty ? new TerminalProgress(io.stdout, io.tty.columns) : undefined;
      const report = await verifyReleaseFully(source, id, {
        trusted,
        now: new Date(),
        files: o.files === true,
        signal: io.signal,
        onCheck: (c) => {
          if (ctx.json) return;
          if (progress) progress.line(checkLine(c));
          else ctx.out(checkLine(c));
        },
        onFileProgress: (file, done, total) =>
          progress?.phase({
            phase: file,
            percent: total > 0 ? (done / total) * 100 : 100,
            message: `${formatBytes(done)} of ${formatBytes(total)}`,
          }),
      }).finally(() => progress?.close());
      if (ctx.json) ctx.out(JSON.stringify(report, null, 2));
      if (!report.verified) {
        const failed = report.checks.filter((c) => !c.ok).length;
        ctx.note(
          `muster: release ${id} refused (${report.reason ?? '?'})${failed > 1 ? `; ${failed} checks failed` : ''}`,
        );
        throw new CommandExit(EXIT.releaseRefused);
      }
      if (!ctx.json) {
        ctx.out(`release ${id} verified`);
        if (!o.files)
          ctx.note('the chunks were not fetched: add --files to check every chunk and each whole file');
      }
    });
}
