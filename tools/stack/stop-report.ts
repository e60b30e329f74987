import type { Survivor } from './service-supervisor.js';

/**
 * The local stack's last line after a stop: "nothing left running" only when every process
 * group of every service and server is gone; otherwise what is left, by name and pid.
 */
export function closingLine(survivors: readonly Survivor[]): string {
  if (survivors.length === 0) return 'stopped; nothing left running';
  const parts = survivors.map((s) => `${s.name} (pid${s.pids.length === 1 ? '' : 's'} ${s.pids.join(', ')})`);
  return `✗ stopped, but still running: ${parts.join('; ')} — stop them by hand (kill -KILL <pid>)`;
}
