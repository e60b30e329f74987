import type { ServerResponse } from 'node:http';

/**
 * Writes server-sent events to one response, one at a time. A write that fills the socket's
 * buffer waits for it to drain before the next one: a reader that does not read stops the
 * writer, and so the pulls from the bus behind it.
 */
export class SseWriter {
  private chain: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
  ) {}

  start(heartbeatMs: number): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and the like would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    // Reconnect after 2 s; a comment so that the headers and first bytes leave at once.
    this.res.write('retry: 2000\n: connected\n\n');
    this.heartbeat = setInterval(() => {
      if (!this.res.writableNeedDrain && !this.ended) this.res.write(': heartbeat\n\n');
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  /** Queues one event; resolves once it is written and the socket can take more. */
  send(id: () => string, data: string): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.ended || this.signal.aborted) return;
      const ok = this.res.write(`id: ${id()}\ndata: ${data}\n\n`);
      if (!ok) await this.drained();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    if (!this.res.writableEnded) this.res.end();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      this.res.on('drain', done);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }
}
