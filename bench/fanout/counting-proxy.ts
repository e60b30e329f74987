// An HTTP proxy in front of the origin that counts what the origin sent: every byte read from
// its sockets (status lines, headers and chunked framing included), and the body bytes of each
// kind of answer. The service's own metrics count bodies only, and not all of them.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MANIFEST_PATCH_MEDIA_TYPE } from '@muster/chunks';

export type AnswerKind = 'chunk-pack' | 'chunk' | 'manifest' | 'manifest-patch' | 'document' | 'other';

export interface ProxyCounts {
  /** Bytes the origin sent on its connections to the proxy. */
  wireBytes: number;
  bodyBytes: Record<AnswerKind, number>;
  answers: Record<AnswerKind, number>;
}

function kindOf(path: string, upstream: IncomingMessage): AnswerKind {
  if (path.startsWith('/v1/chunks/fetch')) return 'chunk-pack';
  if (path.startsWith('/v1/chunks/')) return 'chunk';
  if (path.startsWith('/v1/manifests/'))
    return upstream.headers['content-type']?.startsWith(MANIFEST_PATCH_MEDIA_TYPE)
      ? 'manifest-patch'
      : 'manifest';
  if (path.endsWith('/document') || path.startsWith('/v1/channels/')) return 'document';
  return 'other';
}

const zero = (): Record<AnswerKind, number> => ({
  'chunk-pack': 0,
  chunk: 0,
  manifest: 0,
  'manifest-patch': 0,
  document: 0,
  other: 0,
});

export interface CountingProxy {
  url: string;
  counts(): ProxyCounts;
  /** Forgets what was counted so far (connections already open count from here on). */
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(origin: string): Promise<CountingProxy> {
  const target = new URL(origin);
  const sockets = new Set<Socket>();
  const base = new Map<Socket, number>();
  let bodyBytes = zero();
  let answers = zero();

  const server = createServer((req, res) => {
    const upstreamReq = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (upstream) => {
        const kind = kindOf(req.url ?? '', upstream);
        answers[kind] += 1;
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.on('data', (piece: Buffer) => {
          bodyBytes[kind] += piece.length;
        });
        upstream.pipe(res);
        upstream.on('error', () => res.destroy());
      },
    );
    upstreamReq.on('socket', (s) => sockets.add(s));
    upstreamReq.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({
      wireBytes: [...sockets].reduce((sum, s) => sum + s.bytesRead - (base.get(s) ?? 0), 0),
      bodyBytes: { ...bodyBytes },
      answers: { ...answers },
    }),
    reset: () => {
      for (const s of sockets) base.set(s, s.bytesRead);
      bodyBytes = zero();
      answers = zero();
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
