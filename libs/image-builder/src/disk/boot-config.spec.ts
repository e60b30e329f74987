import { describe, expect, it } from 'vitest';
import { checkCmdline, emptyGrubEnv, grubCfg, loaderConf, loaderEntryA, slotOptions } from './boot-config.js';
import { DiskImageInputError } from './disk-errors.js';

describe('boot configuration', () => {
  it('keeps kernel parameters made of safe characters, with single spaces', () => {
    expect(checkCmdline('')).toBe('');
    expect(checkCmdline('  console=ttyS0,115200n8   quiet systemd.unit=multi-user.target ')).toBe(
      'console=ttyS0,115200n8 quiet systemd.unit=multi-user.target',
    );
  });

  it.each(['init=$(reboot)', 'a="b c"', 'x;y', 'line\nbreak', 'root=/dev/sda1', 'rootfstype=ext4'])(
    'refuses %j',
    (cmdline) => {
      expect(() => checkCmdline(cmdline)).toThrow(DiskImageInputError);
    },
  );

  it('boots slot A by its PARTUUID as a read-only squashfs, then the recipe parameters', () => {
    const options = slotOptions('11111111-2222-4333-8444-555555555555', 'console=ttyS0');
    expect(options).toBe(
      'root=PARTUUID=11111111-2222-4333-8444-555555555555 rootfstype=squashfs ro console=ttyS0',
    );
    expect(loaderEntryA(options)).toContain(`\noptions ${options}\n`);
    expect(grubCfg(options)).toContain(`linux /muster/a/vmlinuz ${options}\n`);
    expect(loaderConf()).toContain('default muster-a.conf\n');
  });

  it('makes an empty GRUB environment block of exactly 1024 bytes', () => {
    expect(Buffer.byteLength(emptyGrubEnv())).toBe(1024);
    expect(emptyGrubEnv().startsWith('# GRUB Environment Block\n#')).toBe(true);
  });
});
