import { describe, expect, it } from 'vitest';
import { updatedRows } from './updated-rows.js';

describe('updatedRows', () => {
  it('takes the rows out of an UPDATE result and leaves a SELECT result alone', () => {
    expect(updatedRows([[{ id: 'a' }], 1])).toEqual([{ id: 'a' }]);
    expect(updatedRows([[], 0])).toEqual([]);
    expect(updatedRows([{ id: 'a' }, { id: 'b' }])).toEqual([{ id: 'a' }, { id: 'b' }]);
  });
});
