import { DeadLetterNotFoundError, type DeadLetterEntry, type DeadLetterStore } from '@muster/messaging';
import type { DeadLetterCommand } from './deadletter-args.js';

/** Runs one command against the store; writes lines to `out`. Returns the exit code. */
export async function runDeadLetterCommand(
  store: DeadLetterStore,
  command: DeadLetterCommand,
  out: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<number> {
  switch (command.kind) {
    case 'list': {
      const entries = await store.list(command.consumer ? { consumer: command.consumer } : {});
      if (command.json) out(JSON.stringify(entries.map(summary)));
      else if (entries.length === 0) out('no dead letters');
      else for (const e of entries) out(listLine(e));
      return 0;
    }
    case 'show': {
      const entry = await store.get(command.seq);
      if (!entry) return notFound(out, command.seq);
      if (command.json)
        out(JSON.stringify({ ...summary(entry), headers: entry.headers, body: base64(entry) }));
      else for (const line of detail(entry)) out(line);
      return 0;
    }
    case 'replay':
      try {
        const r = await store.replay(command.seq);
        out(`replayed #${r.seq} to ${r.subject} (stream sequence ${r.streamSequence}); dead letter removed`);
        return 0;
      } catch (err) {
        if (err instanceof DeadLetterNotFoundError) return notFound(out, command.seq);
        throw err;
      }
    case 'replay-all': {
      const entries = await store.list({ consumer: command.consumer });
      for (const e of entries) {
        const r = await store.replay(e.seq);
        out(`replayed #${r.seq} to ${r.subject} (stream sequence ${r.streamSequence})`);
      }
      out(`${entries.length} replayed`);
      return 0;
    }
    case 'purge':
      if (!(await store.remove(command.seq))) return notFound(out, command.seq);
      out(`removed #${command.seq}`);
      return 0;
    case 'purge-many': {
      const before =
        command.olderThanMs === undefined ? undefined : new Date(now().getTime() - command.olderThanMs);
      const removed = await store.purge({
        ...(command.consumer ? { consumer: command.consumer } : {}),
        ...(before ? { before } : {}),
      });
      out(`${removed} removed`);
      return 0;
    }
  }
}

function notFound(out: (line: string) => void, seq: number): number {
  out(`no dead letter #${seq}`);
  return 1;
}

function summary(e: DeadLetterEntry) {
  return {
    seq: e.seq,
    consumer: e.consumer,
    storedAt: e.storedAt.toISOString(),
    reason: e.reason,
    subject: e.originalSubject,
    stream: e.originalStream,
    streamSequence: e.originalSequence,
    deliveries: e.deliveries,
    eventId: e.eventId ?? null,
    eventType: e.eventType ?? null,
  };
}

function listLine(e: DeadLetterEntry): string {
  return `#${e.seq}  ${e.storedAt.toISOString()}  ${e.consumer}  ${e.originalSubject}  ${e.reason}`;
}

function detail(e: DeadLetterEntry): string[] {
  return [
    `dead letter #${e.seq} of ${e.consumer}, stored ${e.storedAt.toISOString()}`,
    `reason:    ${e.reason}`,
    `original:  ${e.originalSubject} (${e.originalStream} #${e.originalSequence}, ${e.deliveries} deliveries)`,
    `event:     ${e.eventType ?? '(no ce-type)'} ${e.eventId ?? '(no ce-id)'}`,
    'headers:',
    ...Object.entries(e.headers).map(([k, v]) => `  ${k}: ${v}`),
    `body (${e.body.length} bytes, base64): ${base64(e)}`,
  ];
}

const base64 = (e: DeadLetterEntry): string => Buffer.from(e.body).toString('base64');
