import { truncate } from './table.js';

/** A `phase` event of a build's log stream. */
export interface PhaseEvent {
  phase: string;
  percent: number;
  message?: string;
}

const BAR_WIDTH = 24;

/** `████████░░░░░░░░░░░░░░░░  33% customizing: installing cups` cut to fit `columns`. */
export function renderProgress(event: PhaseEvent, columns: number): string {
  const percent = Math.min(100, Math.max(0, Math.round(Number.isFinite(event.percent) ? event.percent : 0)));
  const filled = Math.round((percent / 100) * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  const message = event.message ? `: ${printable(event.message)}` : '';
  // One column short of the width: a line that fills it would wrap on some terminals.
  return truncate(
    `${bar} ${String(percent).padStart(3)}% ${printable(event.phase)}${message}`,
    Math.max(10, columns - 1),
  );
}

/**
 * A line from a build as safe to print: terminal escape sequences and control characters (but
 * tabs) removed, so a package's output cannot move the cursor or retitle the terminal.
 */
export function printable(line: string): string {
  return line
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)?/g, '')
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '');
}

/**
 * Log lines with a progress bar below them, on a terminal: the bar is erased, the line written,
 * the bar drawn again, so it stays on the last line.
 */
export class TerminalProgress {
  private bar: string | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: number,
  ) {}

  line(text: string): void {
    this.erase();
    this.write(`${text}\n`);
    this.draw();
  }

  phase(event: PhaseEvent): void {
    this.erase();
    this.bar = renderProgress(event, this.columns);
    this.draw();
  }

  /** Removes the bar (before the last words). */
  close(): void {
    this.erase();
    this.bar = undefined;
  }

  private erase(): void {
    if (this.bar !== undefined) this.write('\r\u001b[2K');
  }

  private draw(): void {
    if (this.bar !== undefined) this.write(this.bar);
  }
}

/** `312.0 MiB`: sizes for people. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
