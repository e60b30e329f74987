// The peer of `npm run bench -- agents`: a bare `ws` server that echoes every message and does
// nothing else, holding the same number of connections as the gateway — the floor of memory per
// connection for a Node WebSocket server. Started as its own process so its RSS is its own.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.env.MUSTER_HTTP_PORT ?? 0);
const server = createServer((req, res) => {
  res.writeHead(req.url === '/readyz' ? 200 : 404).end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
});
