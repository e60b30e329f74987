import { describe, expect, it } from 'vitest';
import { closingLine } from './stop-report.js';

describe('closingLine', () => {
  it('says nothing is left running only when nothing is', () => {
    expect(closingLine([])).toBe('stopped; nothing left running');
  });

  it('names every survivor with its pids otherwise', () => {
    const line = closingLine([
      { name: 'inventory', pids: [101, 102] },
      { name: 'postgresql', pids: [7] },
    ]);
    expect(line).not.toContain('nothing left running');
    expect(line).toContain('inventory (pids 101, 102)');
    expect(line).toContain('postgresql (pid 7)');
  });
});
