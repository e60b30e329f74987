// Placeholder until the disk builder lands (h/disk).
export interface DiskImageInput {
  out: string;
  squashfs: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  architecture: 'amd64' | 'arm64';
  efiLoader: string;
  grubI386PcDir?: string;
  seed: string;
  sourceDateEpoch: number;
}
export async function buildDiskImage(_input: DiskImageInput, _signal?: AbortSignal): Promise<void> {
  throw new Error('disk images are not built yet');
}
