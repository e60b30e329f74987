/**
 * The rows of an `UPDATE … RETURNING` through TypeORM's `query()`, which answers an UPDATE or
 * DELETE on PostgreSQL with `[rows, affectedCount]` rather than the rows alone.
 */
export function updatedRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
