import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bootInQemu } from '@muster/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDiskImage, type DiskImageInput } from '../src/disk/index.js';
import { syntheticInputs, tool } from './disk-fixtures.js';

// The synthetic kernel is random bytes: each firmware is followed until its boot loader has read
// slot A's entry and tried to start that kernel from the ESP — every link of the chain but Linux.
// test/images/disk-boot.test.ts boots a real image to its login prompt.
describe('the boot chain of a built disk', () => {
  let dir: string;
  let input: DiskImageInput;

  beforeAll(async () => {
    ({ dir, input } = await syntheticInputs());
    await buildDiskImage(input);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('UEFI: the firmware starts systemd-boot, which loads slot A’s kernel named in its default entry', async () => {
    const boot = await bootInQemu({
      disk: input.out,
      firmware: 'uefi',
      until: /Error loading \\muster\\a\\vmlinuz/,
      timeoutMs: 100_000,
    });
    expect(boot.matched, boot.serial).toBe(true);
  });

  it('BIOS: boot.img loads core.img, which finds the ESP by volume id and runs slot A’s grub.cfg entry', async () => {
    const boot = await bootInQemu({
      disk: input.out,
      firmware: 'bios',
      until: /Loading Muster slot A[\s\S]*invalid magic/,
      timeoutMs: 100_000,
    });
    expect(boot.matched, boot.serial).toBe(true);
    expect(boot.serial).toContain('GRUB loading');
  });

  it('BIOS: grub.cfg boots next_entry once and clears it in grubenv (a trial boot)', async () => {
    const trial = join(dir, 'trial,copy.img'); // a comma: QEMU options need it doubled
    await copyFile(input.out, trial);
    const esp = `${trial}@@${2 * 1024 * 1024}`;
    const env = join(dir, 'grubenv');
    await writeFile(env, await tool('mtype', ['-i', esp, '::/grub/grubenv']));
    await tool('grub-editenv', [env, 'set', 'next_entry=muster-a']);
    await tool('mcopy', ['-o', '-i', esp, env, '::/grub/grubenv']);
    const grubenv = async (): Promise<string> => {
      await writeFile(env, await tool('mtype', ['-i', esp, '::/grub/grubenv']));
      return (await tool('grub-editenv', [env, 'list'])).toString();
    };
    const until = /Loading Muster slot A[\s\S]*invalid magic/;

    const snapshot = await bootInQemu({ disk: trial, firmware: 'bios', until, timeoutMs: 100_000 });
    expect(snapshot.matched, snapshot.serial).toBe(true);
    expect(await grubenv()).toBe('next_entry=muster-a\n');

    const written = await bootInQemu({
      disk: trial,
      firmware: 'bios',
      until,
      timeoutMs: 100_000,
      writable: true,
    });
    expect(written.matched, written.serial).toBe(true);
    expect(await grubenv()).toBe('next_entry=\n');
  });

  it('bootInQemu reports no match once the time is up, with what the console printed', async () => {
    const boot = await bootInQemu({
      disk: input.out,
      firmware: 'bios',
      until: /never printed/,
      timeoutMs: 3000,
    });
    expect(boot.matched).toBe(false);
    expect(boot.serial).toContain('SeaBIOS');
  });

  it('bootInQemu rejects with the reason when its signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop now')), 500);
    await expect(
      bootInQemu({
        disk: input.out,
        firmware: 'uefi',
        until: /never printed/,
        timeoutMs: 60_000,
        signal: controller.signal,
      }),
    ).rejects.toThrow('stop now');
  });
});
