import { connect } from 'node:net';

export type RespValue = string | number | null | RespValue[];

/** Sends one Redis command (RESP2) on a fresh connection and returns the reply. */
export function redisCommand(port: number, ...args: string[]): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parse(buffer, 0);
      if (!parsed) return;
      socket.destroy();
      if (parsed.error) reject(new Error(parsed.error));
      else resolve(parsed.value);
    });
    socket.on('error', reject);
  });
}

function parse(buf: Buffer, at: number): { value: RespValue; end: number; error?: string } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at] ?? 0);
  const text = buf.subarray(at + 1, eol).toString();
  if (type === '+') return { value: text, end: eol + 2 };
  if (type === '-') return { value: null, end: eol + 2, error: text };
  if (type === ':') return { value: Number(text), end: eol + 2 };
  if (type === '$') {
    const n = Number(text);
    if (n < 0) return { value: null, end: eol + 2 };
    if (buf.length < eol + 2 + n + 2) return undefined;
    return { value: buf.subarray(eol + 2, eol + 2 + n).toString(), end: eol + 2 + n + 2 };
  }
  if (type === '*') {
    const items: RespValue[] = [];
    let pos = eol + 2;
    for (let i = 0; i < Number(text); i++) {
      const item = parse(buf, pos);
      if (!item) return undefined;
      items.push(item.value);
      pos = item.end;
    }
    return { value: items, end: pos };
  }
  throw new Error(`unexpected RESP type ${type}`);
}
