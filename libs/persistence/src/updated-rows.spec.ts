import { describe, expect, it } from 'vitest';
import { updatedRows } from './updated-rows.js';

describe('updatedRows', () => {
  it('takes the rows of [rows, count] and passes plain rows through', () => {
    expect(updatedRows([[{ a: 1 }], 1])).toEqual([{ a: 1 }]);
    expect(updatedRows([{ a: 1 }])).toEqual([{ a: 1 }]);
    expect(updatedRows([[], 0])).toEqual([]);
  });
});
