import { describe, expect, it } from 'vitest';
import { cellText, renderRecord, renderTable, truncate } from './table.js';

describe('renderTable', () => {
  it('aligns columns under their headers, two spaces apart, without trailing blanks', () => {
    const text = renderTable(
      [
        { id: 'a', name: 'first', n: 1 },
        { id: 'longer-id', name: undefined, n: 22 },
      ],
      [
        { header: 'ID', value: (r) => r.id },
        { header: 'NAME', value: (r) => r.name },
        { header: 'N', value: (r) => r.n },
      ],
    );
    expect(text.split('\n')).toEqual(['ID         NAME   N', 'a          first  1', 'longer-id  -      22']);
  });

  it('cuts long cells to the column’s width with …, counting characters, not bytes', () => {
    const text = renderTable([{ v: 'ééééééééé' }], [{ header: 'V', value: (r) => r.v, max: 5 }]);
    expect(text.split('\n')[1]).toBe('éééé…');
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('shows lists, label maps and nothing readably, and never a control character', () => {
    expect(cellText(['a', 'b'])).toBe('a,b');
    expect(cellText({ rack: 'r1', role: 'db' })).toBe('rack=r1,role=db');
    expect(cellText(null)).toBe('-');
    expect(cellText([])).toBe('-');
    expect(cellText('a\u001b[31mb\nc')).toBe('a [31mb c');
  });
});

describe('renderRecord', () => {
  it('lists keys aligned, objects as JSON', () => {
    expect(renderRecord({ siteId: 's1', networks: ['10.0.0.0/8'] }).split('\n')).toEqual([
      'siteId    s1',
      'networks  ["10.0.0.0/8"]',
    ]);
  });
});
