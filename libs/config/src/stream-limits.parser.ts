import { z } from 'zod';

/** Per-stream settings an operator may raise: `NAME.key=value`, comma-separated; `*` is every stream. */
export interface StreamLimitOverride {
  maxBytes?: number;
  /** 0 = for ever. */
  maxAgeSeconds?: number;
  replicas?: number;
}

export type StreamLimitOverrides = Readonly<Record<string, StreamLimitOverride>>;

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};
const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = SIZE_UNITS[(m?.[2] || 'b').toLowerCase()];
  if (!m || unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^(\d+)\s*([smhdw])$/.exec(text);
  const unit = DURATION_UNITS[m?.[2] ?? ''];
  return m && unit !== undefined && Number(m[1]) > 0 ? Number(m[1]) * unit : undefined;
}

/**
 * `INVENTORY.max_bytes=20GiB,INVENTORY.max_age=60d,*.replicas=3`: sizes in B/KiB/MiB/GiB/TiB
 * (or KB/MB/GB/TB), ages in s/m/h/d/w (or 0 for ever), replicas 1–5.
 */
export function streamLimitsValue() {
  return z.string().transform((text, ctx): StreamLimitOverrides => {
    const out: Record<string, StreamLimitOverride> = {};
    for (const part of text.split(',').map((p) => p.trim())) {
      if (part === '') continue;
      const m = /^([A-Z0-9_]+|\*)\.(max_bytes|max_age|replicas)=(.+)$/.exec(part);
      const fail = (why: string) =>
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(part)}: ${why}` });
      if (!m) {
        fail(
          'expected NAME.max_bytes=SIZE, NAME.max_age=DURATION or NAME.replicas=N (NAME in capitals, or *)',
        );
        continue;
      }
      const [, name, key, value] = m as unknown as [string, string, string, string];
      const entry = (out[name] ??= {});
      if (key === 'max_bytes') {
        const bytes = parseSize(value);
        if (bytes === undefined) fail('max_bytes must be a positive size such as 512MiB or 20GiB');
        else entry.maxBytes = bytes;
      } else if (key === 'max_age') {
        const seconds = parseDuration(value);
        if (seconds === undefined) fail('max_age must be a duration such as 12h, 30d, 8w, or 0 for ever');
        else entry.maxAgeSeconds = seconds;
      } else {
        const n = /^[1-5]$/.test(value) ? Number(value) : undefined;
        if (n === undefined) fail('replicas must be 1 to 5');
        else entry.replicas = n;
      }
    }
    return out;
  });
}
