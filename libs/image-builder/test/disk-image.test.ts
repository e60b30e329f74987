import { createHash } from 'node:crypto';
import { open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDiskImage,
  DiskImageInputError,
  PARTITION_TYPE,
  type DiskImageInput,
  type DiskLayout,
} from '../src/disk/index.js';
import { EPOCH, HOST_GRUB_I386_PC, SEED, syntheticInputs, tool } from './disk-fixtures.js';

interface SfdiskJson {
  partitiontable: {
    label: string;
    id: string;
    partitions: { start: number; size: number; type: string; uuid: string; name: string }[];
  };
}

/** The documented derivation, written out again here so a change to it fails this test. */
function expectedUuid(seed: string, role: string): string {
  const b = createHash('sha256').update(`${seed}:${role}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function readRange(file: string, offset: number, bytes: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    await fh.read(buf, 0, bytes, offset);
    return buf;
  } finally {
    await fh.close();
  }
}

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

describe('buildDiskImage', () => {
  let dir: string;
  let input: DiskImageInput;
  let layout: DiskLayout;
  let esp: string;
  const part = (name: string) => layout.partitions.find((p) => p.name === name)!;

  beforeAll(async () => {
    ({ dir, input } = await syntheticInputs());
    layout = await buildDiskImage(input);
    esp = `${input.out}@@${part('muster-esp').startSector * 512}`;
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the documented GPT: five named partitions, MiB-aligned, GUIDs from the seed', async () => {
    const table = (JSON.parse((await tool('sfdisk', ['--json', input.out])).toString()) as SfdiskJson)
      .partitiontable;
    expect(table.label).toBe('gpt');
    expect(table.id.toLowerCase()).toBe(expectedUuid(SEED, 'disk'));
    const roles = ['bios-boot', 'esp', 'root-a', 'root-b', 'data'];
    const mib = [1, 64, 8, 8, 16];
    let start = 1;
    expect(
      table.partitions.map((p) => [p.name, p.start, p.size, p.type.toLowerCase(), p.uuid.toLowerCase()]),
    ).toEqual(
      ['muster-bios', 'muster-esp', 'muster-root-a', 'muster-root-b', 'muster-data'].map((name, i) => {
        const row = [
          name,
          start * 2048,
          mib[i]! * 2048,
          layout.partitions[i]!.typeGuid,
          expectedUuid(SEED, `partition:${roles[i]}`),
        ];
        start += mib[i]!;
        return row;
      }),
    );
    expect(layout.partitions.map((p) => p.typeGuid)).toEqual([
      PARTITION_TYPE.biosBoot,
      PARTITION_TYPE.esp,
      PARTITION_TYPE.rootAmd64,
      PARTITION_TYPE.rootAmd64,
      PARTITION_TYPE.linuxData,
    ]);
    expect((await stat(input.out)).size).toBe((start + 1) * 1024 * 1024);
    expect(layout.sizeBytes).toBe((start + 1) * 1024 * 1024);
  });

  it('puts systemd-boot, its loader entry for slot A and the kernel and initrd on the ESP', async () => {
    const listing = (await tool('mdir', ['-i', esp, '-/', '-b', '::/'])).toString().trim().split('\n');
    expect(listing).toEqual([
      '::/EFI/',
      '::/grub/',
      '::/loader/',
      '::/muster/',
      '::/EFI/BOOT/',
      '::/EFI/BOOT/BOOTX64.EFI',
      '::/grub/grub.cfg',
      '::/grub/grubenv',
      '::/loader/entries/',
      '::/loader/loader.conf',
      '::/loader/entries/muster-a.conf',
      '::/muster/a/',
      '::/muster/a/initrd.img',
      '::/muster/a/vmlinuz',
    ]);
    const options = `root=PARTUUID=${part('muster-root-a').partuuid} rootfstype=squashfs ro console=ttyS0,115200`;
    expect((await tool('mtype', ['-i', esp, '::/loader/entries/muster-a.conf'])).toString()).toContain(
      `\noptions ${options}\n`,
    );
    expect((await tool('mtype', ['-i', esp, '::/loader/loader.conf'])).toString()).toBe(
      'default muster-a.conf\ntimeout 0\neditor no\n',
    );
    expect((await tool('mtype', ['-i', esp, '::/grub/grub.cfg'])).toString()).toContain(
      `linux /muster/a/vmlinuz ${options}`,
    );
    for (const [fat, host] of [
      ['::/muster/a/vmlinuz', input.kernel],
      ['::/muster/a/initrd.img', input.initrd],
      ['::/EFI/BOOT/BOOTX64.EFI', input.efiLoader],
    ] as const) {
      expect((await tool('mtype', ['-i', esp, fat])).equals(await readFile(host))).toBe(true);
    }
    const volumeId = createHash('sha256').update(`${SEED}:fat:volume-id`).digest('hex').slice(0, 8);
    expect((await tool('minfo', ['-i', esp])).toString()).toContain(
      `serial number: ${volumeId.toUpperCase()}`,
    );
    // Every entry is dated SOURCE_DATE_EPOCH (mdir shows UTC, to the minute).
    const [day, time] = new Date(EPOCH * 1000).toISOString().split('T') as [string, string];
    expect((await tool('mdir', ['-i', esp, '::/loader'])).toString()).toContain(
      `${day}  ${time.slice(0, 5)}`,
    );
  });

  it('leaves an empty GRUB environment block that grub-editenv reads', async () => {
    const env = join(dir, 'grubenv');
    await writeFile(env, await tool('mtype', ['-i', esp, '::/grub/grubenv']));
    expect((await readFile(env)).length).toBe(1024);
    expect((await tool('grub-editenv', [env, 'list'])).toString()).toBe('');
  });

  it('writes the squashfs bytes at slot A and leaves slot B zero', async () => {
    const squashfs = await readFile(input.squashfs);
    const a = part('muster-root-a');
    expect((await readRange(input.out, a.startSector * 512, squashfs.length)).equals(squashfs)).toBe(true);
    const b = part('muster-root-b');
    expect(
      (await readRange(input.out, b.startSector * 512, b.sectors * 512)).equals(
        Buffer.alloc(b.sectors * 512),
      ),
    ).toBe(true);
  });

  it('makes muster-data an empty ext4 with UUID and hash seed from the seed, dated SOURCE_DATE_EPOCH', async () => {
    const data = part('muster-data');
    const fs = join(dir, 'data.ext4');
    await writeFile(fs, await readRange(input.out, data.startSector * 512, data.sectors * 512));
    const header = (await tool('dumpe2fs', ['-h', fs])).toString();
    expect(header).toMatch(new RegExp(`Filesystem UUID:\\s+${expectedUuid(SEED, 'ext4:uuid')}`));
    expect(header).toMatch(new RegExp(`Directory Hash Seed:\\s+${expectedUuid(SEED, 'ext4:hash-seed')}`));
    expect(header).toMatch(/Filesystem volume name:\s+muster-data/);
    expect(header).toMatch(/Filesystem created:\s+Tue Nov 14 22:13:20 2023/); // EPOCH
  });

  it("puts GRUB's boot.img in the protective MBR and core.img, loaded from sector 2049 on, in the BIOS boot partition", async () => {
    const mbr = await readRange(input.out, 0, 512);
    const bootImg = await readFile(join(HOST_GRUB_I386_PC, 'boot.img'));
    expect(mbr.subarray(0x6a, 0x1b8).equals(bootImg.subarray(0x6a, 0x1b8))).toBe(true);
    expect(mbr.readBigUInt64LE(0x5c)).toBe(2048n);
    expect(mbr[0x1c2]).toBe(0xee); // the protective partition…
    expect(mbr[0x1be]).toBe(0); // …not marked active
    const core = await readRange(input.out, 2048 * 512, 512);
    expect(core.readBigUInt64LE(500)).toBe(2049n);
  });

  it('builds the same bytes again, whatever the time and the input files’ dates', async () => {
    const again = { ...input, out: join(dir, 'again.img') };
    const later = new Date();
    for (const f of [input.kernel, input.initrd, input.squashfs]) await utimes(f, later, later);
    await buildDiskImage(again);
    expect(await sha256(again.out)).toBe(await sha256(input.out));
  });

  it('derives other GUIDs from another seed', async () => {
    const other = await buildDiskImage({ ...input, seed: 'f'.repeat(64), out: join(dir, 'other.img') });
    expect(other.diskGuid).not.toBe(layout.diskGuid);
    other.partitions.forEach((p, i) => expect(p.partuuid).not.toBe(layout.partitions[i]!.partuuid));
  });

  it.each<[string, Partial<DiskImageInput>, RegExp]>([
    ['a missing kernel', { kernel: '/nonexistent/vmlinuz' }, /kernel: \/nonexistent\/vmlinuz does not exist/],
    ['a short seed', { seed: 'abc' }, /seed: must be 64 lowercase hex characters/],
    ['an upper-case seed', { seed: 'A'.repeat(64) }, /seed: must be 64 lowercase hex/],
    ['a squashfs that is not one', { squashfs: '/etc/hostname' }, /squashfs: .* is not a squashfs image/],
    ['a loader that is not EFI', { efiLoader: '/etc/hostname' }, /efiLoader: .* is not an EFI \(PE\) binary/],
    [
      'an amd64 loader for arm64',
      { architecture: 'arm64', grubI386PcDir: undefined },
      /efiLoader: .*not arm64/,
    ],
    [
      'BIOS boot on arm64',
      { architecture: 'arm64' },
      /grubI386PcDir: the BIOS boot path exists only for amd64/,
    ],
    ['a shell character in the cmdline', { cmdline: 'init=$(reboot)' }, /cmdline: kernel parameter/],
    [
      'a root= in the cmdline',
      { cmdline: 'root=/dev/sda2' },
      /cmdline: root=\/dev\/sda2: the root is chosen/,
    ],
    ['a slot smaller than the squashfs', { sizes: { slotMiB: 0 } }, /sizes.slotMiB: must be a whole number/],
    ['a date FAT cannot record', { sourceDateEpoch: 0 }, /sourceDateEpoch: must be whole seconds from 1980/],
    ['a kernel that is not a file', { kernel: '/dev/null' }, /kernel: \/dev\/null is not a regular file/],
  ])('refuses %s, and writes nothing', async (_what, change, message) => {
    const out = join(dir, 'refused.img');
    const attempt = buildDiskImage({ ...input, ...change, out });
    await expect(attempt).rejects.toThrow(DiskImageInputError);
    await expect(attempt).rejects.toThrow(message);
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });

  it('stops when its signal aborts, leaving neither the image nor its work files', async () => {
    const out = join(dir, 'aborted.img');
    const before = await readdir(dir);
    await expect(buildDiskImage({ ...input, out }, AbortSignal.abort())).rejects.toThrow(/abort/i);
    expect(await readdir(dir)).toEqual(before);
  });

  it('refuses an ESP too small for two slots of kernel and initrd', async () => {
    const big = join(dir, 'big-initrd');
    await writeFile(big, Buffer.alloc(40 * 1024 * 1024, 1));
    await expect(buildDiskImage({ ...input, initrd: big, out: join(dir, 'x.img') })).rejects.toThrow(
      /sizes.espMiB: an ESP of 64 MiB cannot hold two slots/,
    );
  });
});
