import type { ServerResponse } from 'node:http';

/**
 * Writes server-sent events to one response, one at a time; a write that fills the socket's
 * buffer waits for it to drain (a reader that does not read stops the writer, and so the
 * queries behind it).
 */
export class SseWriter {
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
    this.res.write('retry: 2000\n: connected\n\n');
    this.heartbeat = setInterval(() => {
      if (!this.res.writableNeedDrain && !this.ended) this.res.write(': heartbeat\n\n');
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  /** One event; `id` becomes the reader's Last-Event-ID. `data` is one line of JSON. */
  async send(event: string, data: unknown, id?: string): Promise<void> {
    if (this.ended || this.signal.aborted) return;
    const text = `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;
    if (!this.res.write(text)) await this.drained();
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
