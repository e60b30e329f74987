import { runTool } from './tool-runner.js';

const TOOLS: [name: string, command: string, args: string[]][] = [
  ['mmdebstrap', 'mmdebstrap', ['--version']],
  ['apt', 'apt-get', ['--version']],
  ['dpkg', 'dpkg', ['--version']],
  ['mksquashfs', 'mksquashfs', ['-version']],
  ['zstd', 'zstd', ['--version']],
  ['tar', 'tar', ['--version']],
  ['sfdisk', 'sfdisk', ['--version']],
  ['mtools', 'mcopy', ['--version']],
  ['e2fsprogs', 'mke2fs', ['-V']],
  ['grub', 'grub-mkimage', ['--version']],
];

let cached: Promise<Record<string, string>> | undefined;

/** The first line each build tool prints of its own version, for the provenance. */
export function toolVersions(): Promise<Record<string, string>> {
  cached ??= (async () => {
    const out: Record<string, string> = {};
    for (const [name, command, args] of TOOLS) {
      const lines: string[] = [];
      try {
        await runTool(command, args, { signal: new AbortController().signal, onLine: (l) => lines.push(l) });
      } catch {
        // mke2fs -V and some --version exit non-zero on some builds; the first line still tells.
      }
      out[name] = lines.find((l) => l.trim())?.trim() ?? 'not installed';
    }
    return out;
  })();
  return cached;
}
