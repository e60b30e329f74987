import { describe, expect, it } from 'vitest';
import type { LogLine } from '../builds/build-log.repository.js';
import { BuildLogSink, MAX_LINE_BYTES, MAX_LOG_LINES, storedLine } from './build-log-sink.js';

describe('storedLine', () => {
  it('keeps a short line, replaces NUL, cuts a long one at a character boundary and says so', () => {
    expect(storedLine('hello')).toBe('hello');
    expect(storedLine('a\u0000b')).toBe('a\ufffdb');
    const long = 'é'.repeat(MAX_LINE_BYTES); // 2 bytes each
    const cut = storedLine(long);
    expect(cut).toBe(`${'é'.repeat(MAX_LINE_BYTES / 2)} … [line truncated: ${2 * MAX_LINE_BYTES} bytes]`);
    const odd = `x${'é'.repeat(MAX_LINE_BYTES)}`;
    expect(storedLine(odd).startsWith(`x${'é'.repeat(MAX_LINE_BYTES / 2 - 1)} …`)).toBe(true);
  });
});

describe('BuildLogSink', () => {
  it('numbers lines on from what is stored and writes them in order', async () => {
    const written: LogLine[] = [];
    const sink = new BuildLogSink(async (lines) => void written.push(...lines), 41);
    sink.add('one');
    sink.add('two');
    await sink.flush();
    expect(written.map((l) => [l.seq, l.line])).toEqual([
      [42, 'one'],
      [43, 'two'],
    ]);
  });

  it('keeps lines a failed write did not store for the next flush', async () => {
    const written: LogLine[] = [];
    let fail = true;
    const errors: unknown[] = [];
    const sink = new BuildLogSink(
      async (lines) => {
        if (fail) throw new Error('database away');
        written.push(...lines);
      },
      0,
      (err) => errors.push(err),
    );
    sink.add('a');
    await sink.flush();
    fail = false;
    sink.add('b');
    await sink.flush();
    expect(written.map((l) => l.line)).toEqual(['a', 'b']);
    expect(errors).toHaveLength(1);
  });

  it('stops at the limit with a line that says so', async () => {
    const written: LogLine[] = [];
    const sink = new BuildLogSink(async (lines) => void written.push(...lines), MAX_LOG_LINES - 3);
    for (let i = 0; i < 10; i++) sink.add(`line ${i}`);
    await sink.flush();
    expect(written.map((l) => [l.seq, l.line])).toEqual([
      [MAX_LOG_LINES - 2, 'line 0'],
      [MAX_LOG_LINES - 1, 'line 1'],
      [MAX_LOG_LINES, `[log limit reached: only the first ${MAX_LOG_LINES} lines of a build are kept]`],
    ]);
    const after = new BuildLogSink(async (lines) => void written.push(...lines), MAX_LOG_LINES);
    after.add('more');
    await after.flush();
    expect(written).toHaveLength(3);
  });
});
