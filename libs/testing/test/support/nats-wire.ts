import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A minimal NATS text-protocol client (CONNECT, SUB, PUB, MSG, PING/PONG), enough for
 * request/reply — and so for JetStream's API and publish acks — without a client library
 * (only libs/messaging may import one).
 */
export class NatsWire {
  private readonly socket: Socket;
  private readonly inbox = `_INBOX.${randomBytes(6).toString('hex')}`;
  private readonly waiting = new Map<string, (payload: Buffer) => void>();
  private buffer = Buffer.alloc(0);
  private next = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
  }

  static async connect(url: string): Promise<NatsWire> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new NatsWire(socket);
    socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":false,"protocol":1}\r\n');
    socket.write(`SUB ${client.inbox}.* 1\r\n`);
    await client.request('$JS.API.INFO', '', 5_000).catch(() => undefined);
    return client;
  }

  /** Publishes `payload` with a reply subject and resolves with the first reply. */
  request(subject: string, payload: string | Buffer, timeoutMs = 5_000): Promise<Buffer> {
    const reply = `${this.inbox}.${this.next++}`;
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(reply);
        reject(new Error(`no reply on ${subject} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(reply, (data) => {
        clearTimeout(timer);
        resolve(data);
      });
      this.socket.write(
        Buffer.concat([Buffer.from(`PUB ${subject} ${reply} ${body.length}\r\n`), body, Buffer.from('\r\n')]),
      );
    });
  }

  /** A JetStream API call: JSON in, JSON out; an API error is thrown. */
  async api<T>(subject: string, body: object = {}): Promise<T> {
    const reply = JSON.parse((await this.request(subject, JSON.stringify(body))).toString()) as T & {
      error?: { description?: string };
    };
    if (reply.error) throw new Error(`${subject}: ${reply.error.description ?? JSON.stringify(reply.error)}`);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const eol = this.buffer.indexOf('\r\n');
      if (eol < 0) return;
      const line = this.buffer.subarray(0, eol).toString();
      if (line.startsWith('MSG ')) {
        const parts = line.split(' ');
        const size = Number(parts[parts.length - 1]);
        if (this.buffer.length < eol + 2 + size + 2) return;
        const payload = Buffer.from(this.buffer.subarray(eol + 2, eol + 2 + size));
        this.buffer = this.buffer.subarray(eol + 2 + size + 2);
        this.waiting.get(parts[1] ?? '')?.(payload);
        this.waiting.delete(parts[1] ?? '');
        continue;
      }
      this.buffer = this.buffer.subarray(eol + 2);
      if (line === 'PING') this.socket.write('PONG\r\n');
    }
  }
}
