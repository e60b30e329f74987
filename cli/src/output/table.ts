/** One column of a table: its header, how to read the cell, and how wide it may grow. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Longer cells are cut with `…`. */
  max?: number;
}

const DEFAULT_MAX = 40;

/** A cell as text: strings as they are, lists joined, objects as `k=v` pairs, nothing as `-`. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cellText).join(',');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '-' : entries.map(([k, v]) => `${k}=${cellText(v)}`).join(',');
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // Control characters never reach the terminal.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** Aligned columns separated by two spaces; no trailing blanks. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => truncate(cellText(c.value(row)), c.max ?? DEFAULT_MAX)));
  const widths = columns.map((c, i) =>
    Math.max([...c.header].length, ...cells.map((r) => [...(r[i] ?? '')].length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v + ' '.repeat((widths[i] ?? 0) - [...v].length)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** One record as `key: value` lines, keys aligned. */
export function renderRecord(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys
    .map((k) => {
      const v = record[k];
      const text = typeof v === 'object' && v !== null ? JSON.stringify(v) : cellText(v);
      return `${k.padEnd(width)}  ${text}`;
    })
    .join('\n');
}
