import { printable, TerminalProgress, type PhaseEvent } from '../output/progress.js';
import type { BuildLogSink } from './build-log.js';
import type { CommandContext } from './context.js';

export interface LogView extends BuildLogSink {
  close(): void;
}

/**
 * How a build's log is shown: `--json`, one JSON line per event; on a terminal, the lines with a
 * progress bar below them; else the lines alone on stdout and each new phase, or ten more
 * percent, as a line on stderr (a CI log gets the progress without a line per event).
 */
export function logView(ctx: CommandContext): LogView {
  if (ctx.json) {
    return {
      log: (e) => ctx.out(JSON.stringify({ event: 'log', ...e })),
      phase: (e) => ctx.out(JSON.stringify({ event: 'phase', ...e })),
      close: () => undefined,
    };
  }
  const tty = ctx.io.tty;
  if (tty) {
    const progress = new TerminalProgress(ctx.io.stdout, tty.columns);
    return {
      log: (e) => progress.line(printable(e.line)),
      phase: (e) => progress.phase(e),
      close: () => progress.close(),
    };
  }
  let last: { phase: string; step: number } | undefined;
  return {
    log: (e) => ctx.out(printable(e.line)),
    phase: (e: PhaseEvent) => {
      const step = Math.floor(e.percent / 10);
      if (last && last.phase === e.phase && last.step === step) return;
      last = { phase: e.phase, step };
      ctx.note(
        `[${printable(e.phase)} ${Math.round(e.percent)}%]${e.message ? ` ${printable(e.message)}` : ''}`,
      );
    },
    close: () => undefined,
  };
}
