import { describe, expect, it } from 'vitest';
import { formatBytes, printable, renderProgress } from './progress.js';

describe('renderProgress', () => {
  it('draws the percent as 24 cells, clamped, and cuts the line one column short of the width', () => {
    expect(renderProgress({ phase: 'packaging', percent: 50, message: 'mksquashfs' }, 80)).toBe(
      `${'█'.repeat(12)}${'░'.repeat(12)}  50% packaging: mksquashfs`,
    );
    expect(renderProgress({ phase: 'uploading', percent: 140 }, 80)).toBe(`${'█'.repeat(24)} 100% uploading`);
    expect(renderProgress({ phase: 'preparing', percent: Number.NaN }, 80)).toMatch(/^░{24}   0% preparing$/);
    const narrow = renderProgress({ phase: 'customizing', percent: 33, message: 'x'.repeat(100) }, 40);
    expect([...narrow]).toHaveLength(39);
    expect(narrow.endsWith('…')).toBe(true);
  });
});

describe('printable', () => {
  it('removes escape sequences and control characters, keeps tabs', () => {
    expect(printable('\u001b[1;31mE:\u001b[0m\tfailed\r')).toBe('E:\tfailed');
    expect(printable('\u001b]0;owned\u0007title kept out')).toBe('title kept out');
  });
});

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatBytes(undefined)).toBe('-');
  });
});
