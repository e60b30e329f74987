import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CHUNK_PACK_MEDIA_TYPE, compressChunk, encodeChunkPackHeader, isSha256Hex } from '@muster/chunks';

/** Faults a test switches on; each applies to every later request until switched off. */
export interface OriginFaults {
  /** Every request answered 503. */
  down?: boolean;
  /** The pack stream is cut (connection destroyed, half a record sent) after this many records. */
  cutAfterRecords?: number;
  /** The pack stream stops sending after this many records but stays open. */
  stallAfterRecords?: number;
  /** Cuts or stalls apply to this many requests (default: all). */
  times?: number;
  /** These chunks are sent as a valid zstd frame of other bytes… */
  corrupt?: Set<string>;
  /** …this many times each (default: always). */
  corruptions?: number;
  /** Records are sent in reverse order: a broken chunk pack. */
  reversed?: boolean;
  /** These chunks are answered 404 as unknown. */
  missing?: Set<string>;
}

/**
 * A small delivery server for tests: `POST /v1/chunks/fetch` and `GET /v1/chunks/{sha256}` as
 * the contract fixes them, served from memory, with switchable faults and counters.
 */
export class TestOrigin {
  faults: OriginFaults = {};
  /** Chunk-pack requests answered (any status). */
  packRequests = 0;
  /** Chunks whose whole record was written, in order, and the stored bytes they took. */
  sent: string[] = [];
  sentStoredBytes = 0;
  private readonly corruptedTimes = new Map<string, number>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly chunks: Map<string, Buffer>,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(chunks: Map<string, Buffer> = new Map()): Promise<TestOrigin> {
    const server = createServer();
    const origin = new TestOrigin(server, chunks);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => origin.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return origin;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Faults off, counters zero. */
  reset(): void {
    this.faults = {};
    this.corruptedTimes.clear();
    this.packRequests = 0;
    this.sent = [];
    this.sentStoredBytes = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://origin');
    if (req.method === 'POST' && url.pathname === '/v1/chunks/fetch') {
      this.packRequests += 1;
      void readBody(req).then((body) => this.pack(body, res));
      return;
    }
    const single = /^\/v1\/chunks\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && single) return this.single(single[1]!, res);
    json(res, 404, { error: 'no such route' });
  }

  private pack(body: Buffer, res: ServerResponse): void {
    if (this.faults.down) return json(res, 503, { error: 'down for the test' });
    let ids: unknown;
    try {
      ids = (JSON.parse(body.toString('utf8')) as { chunks?: unknown }).chunks;
    } catch {
      return json(res, 400, { error: 'not JSON' });
    }
    if (
      !Array.isArray(ids) ||
      ids.length < 1 ||
      ids.length > 4096 ||
      !ids.every(isSha256Hex) ||
      new Set(ids).size !== ids.length
    )
      return json(res, 400, { error: 'chunks must be 1-4096 distinct SHA-256 ids' });
    const missing = ids.filter((id) => !this.chunks.has(id) || this.faults.missing?.has(id));
    if (missing.length > 0) return json(res, 404, { error: 'unknown chunks', missing });

    res.writeHead(200, { 'content-type': CHUNK_PACK_MEDIA_TYPE });
    const faulty = this.takeFaultTurn();
    const cut = faulty ? this.faults.cutAfterRecords : undefined;
    const stall = faulty ? this.faults.stallAfterRecords : undefined;
    const order = this.faults.reversed ? [...ids].reverse() : ids;
    for (const [n, id] of order.entries()) {
      const stored = this.storedFor(id);
      const record = Buffer.concat([encodeChunkPackHeader(id, stored.length), stored]);
      if (n === cut) {
        // Half a record, then the connection ends without the chunked encoding's last chunk.
        res.write(record.subarray(0, Math.ceil(record.length / 2)));
        res.socket?.end();
        return;
      }
      if (n === stall) return;
      res.write(record);
      this.sent.push(id);
      this.sentStoredBytes += stored.length;
    }
    res.end();
  }

  private single(id: string, res: ServerResponse): void {
    if (this.faults.down) return json(res, 503, { error: 'down for the test' });
    if (!isSha256Hex(id)) return json(res, 400, { error: 'not a SHA-256' });
    if (!this.chunks.has(id) || this.faults.missing?.has(id))
      return json(res, 404, { error: 'unknown chunk' });
    res.writeHead(200, { 'content-type': 'application/zstd', etag: `"${id}"` });
    res.end(this.storedFor(id));
  }

  private takeFaultTurn(): boolean {
    const { times } = this.faults;
    if (times === undefined) return true;
    if (times <= 0) return false;
    this.faults.times = times - 1;
    return true;
  }

  private storedFor(id: string): Buffer {
    const stored = this.chunks.get(id)!;
    if (!this.faults.corrupt?.has(id)) return stored;
    const times = this.corruptedTimes.get(id) ?? 0;
    if (this.faults.corruptions !== undefined && times >= this.faults.corruptions) return stored;
    this.corruptedTimes.set(id, times + 1);
    return compressChunk(Buffer.from(`not the bytes of ${id}`));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
