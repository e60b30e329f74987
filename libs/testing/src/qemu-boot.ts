import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingBinaryError } from './errors.js';
import { findBinary } from './internal/binaries.js';

export interface BootInQemuOptions {
  /** A raw disk image; left unchanged (-snapshot: writes go to a temporary overlay) unless `writable`. */
  disk: string;
  /** Let the guest write to `disk` itself, e.g. to read back what the boot loader saved. */
  writable?: boolean;
  firmware: 'uefi' | 'bios';
  /** Stop as soon as the serial console (without ANSI escapes) matches this. */
  until: RegExp;
  timeoutMs: number;
  memoryMiB?: number;
  signal?: AbortSignal;
}

export interface BootInQemuResult {
  matched: boolean;
  /** Everything the guest wrote to its first serial port, as written. */
  serial: string;
}

// The OVMF pairs Debian's ovmf package ships, preferred first; the variable store must be
// writable, so each boot gets its own copy of the VARS file.
const OVMF_PAIRS = [
  ['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd'],
  ['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/OVMF/OVMF_VARS.fd'],
] as const;
const QEMU = 'qemu-system-x86_64';
const ANSI_ESCAPE = /\u001b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])/g;
const STOP_GRACE_MS = 5000;

/** A path inside a QEMU option value, where a comma separates options unless doubled. */
function optionPath(path: string): string {
  return path.replaceAll(',', ',,');
}

function ovmf(): readonly [code: string, vars: string] {
  const pair = OVMF_PAIRS.find(([code, vars]) => existsSync(code) && existsSync(vars));
  if (!pair) throw new MissingBinaryError('OVMF (UEFI firmware for QEMU)', 'ovmf', [OVMF_PAIRS[0][0]]);
  return pair;
}

/** The firmware's arguments; what they need on disk goes in `dir`. */
async function firmwareArgs(firmware: 'uefi' | 'bios', dir: string): Promise<string[]> {
  if (firmware === 'bios') {
    // SeaBIOS copies its text screen (boot loader messages) to the serial port at this I/O
    // address, read from fw_cfg as a little-endian integer (QEMU warns about the name; harmless).
    const port = join(dir, 'sercon-port');
    await writeFile(port, Buffer.from([0xf8, 0x03]));
    return ['-fw_cfg', `name=etc/sercon-port,file=${optionPath(port)}`];
  }
  const [code, vars] = ovmf();
  const varsCopy = join(dir, 'OVMF_VARS.fd');
  await copyFile(vars, varsCopy);
  return [
    '-drive',
    `if=pflash,format=raw,unit=0,readonly=on,file=${optionPath(code)}`,
    '-drive',
    `if=pflash,format=raw,unit=1,file=${optionPath(varsCopy)}`,
  ];
}

/**
 * Boots `disk` in QEMU (TCG: no KVM needed) with no network, watching the serial console until
 * it matches `until` or `timeoutMs` passes; QEMU is stopped either way before this resolves.
 * It rejects when QEMU cannot start, and with the abort reason when `signal` aborts.
 */
export async function bootInQemu(options: BootInQemuOptions): Promise<BootInQemuResult> {
  const qemu = findBinary(QEMU);
  if (!qemu) throw new MissingBinaryError(QEMU, 'qemu-system-x86', ['PATH', '/usr/sbin']);
  options.signal?.throwIfAborted();
  const dir = await mkdtemp(join(tmpdir(), 'muster-qemu-'));
  try {
    const args = [
      // -nodefaults: no CD-ROM, floppy, VGA or NIC the firmware would try or the guest probe.
      ...['-nodefaults', '-machine', 'q35', '-accel', 'tcg,thread=multi', '-smp', '2'],
      ...['-m', String(options.memoryMiB ?? 1024)],
      ...['-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-parallel', 'none'],
      ...['-nic', 'none', '-no-reboot', ...(options.writable ? [] : ['-snapshot'])],
      ...['-drive', `file=${optionPath(options.disk)},format=raw,if=virtio`],
      ...(await firmwareArgs(options.firmware, dir)),
    ];
    return await watch(qemu, args, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function watch(qemu: string, args: string[], options: BootInQemuOptions): Promise<BootInQemuResult> {
  const until = new RegExp(options.until.source, options.until.flags.replace(/[gy]/g, ''));
  return new Promise((resolve, reject) => {
    const child = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let serial = '';
    let stderr = '';
    let outcome: { matched: boolean } | { error: unknown } | undefined;
    let killer: NodeJS.Timeout | undefined;
    const stop = (why: { matched: boolean } | { error: unknown }): void => {
      if (outcome) return;
      outcome = why;
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    };
    const timer = setTimeout(() => stop({ matched: false }), options.timeoutMs);
    const onAbort = (): void => stop({ error: options.signal?.reason });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Escape sequences never span lines: complete lines are cleaned once, the open line each time.
    let cleanLines = '';
    let openLine = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      serial += chunk;
      openLine += chunk;
      const end = openLine.lastIndexOf('\n') + 1;
      cleanLines += openLine.slice(0, end).replace(ANSI_ESCAPE, '');
      openLine = openLine.slice(end);
      if (until.test(cleanLines + openLine.replace(ANSI_ESCAPE, ''))) stop({ matched: true });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => stop({ error: err }));
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(killer);
      options.signal?.removeEventListener('abort', onAbort);
      if (!outcome && code !== 0) {
        outcome = { error: new Error(`${QEMU} exited with ${code}: ${stderr.trim()}`) };
      }
      const end = outcome ?? { matched: false };
      if ('error' in end) reject(end.error instanceof Error ? end.error : new Error(String(end.error)));
      else resolve({ matched: end.matched, serial });
    });
  });
}
