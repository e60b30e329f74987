import type { CliConfig } from '../config/cli-config.js';

/** A problem+json answer (or any non-2xx), as one clear line. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The server could not be reached at all. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One page of a list: its items and the cursor of the next page, if any. */
export interface Page<T> {
  items: T[];
  next?: string;
}

interface InvalidParam {
  name?: string;
  in?: string;
  reason?: string;
}

/** `400 Bad Request: detail (limit: must be ≤ 1000; state: …)` from a problem+json body. */
export function problemLine(status: number, statusText: string, body: unknown): string {
  if (typeof body !== 'object' || body === null) {
    return `${status} ${statusText}${typeof body === 'string' && body ? `: ${body.slice(0, 300)}` : ''}`;
  }
  const p = body as { title?: unknown; detail?: unknown; 'invalid-params'?: unknown };
  const title = typeof p.title === 'string' ? p.title : statusText;
  const detail = typeof p.detail === 'string' && p.detail !== title ? `: ${p.detail}` : '';
  const params = Array.isArray(p['invalid-params'])
    ? (p['invalid-params'] as InvalidParam[])
        .map((x) => `${x.name ?? '?'}: ${x.reason ?? 'invalid'}`)
        .join('; ')
    : '';
  return `${status} ${title}${detail}${params ? ` (${params})` : ''}`;
}

/** The one array in a list answer: `{ "<items>": [...], "next"?: "…" }`. */
export function pageOf<T>(body: unknown, itemsKey?: string): Page<T> {
  if (typeof body !== 'object' || body === null) throw new Error('the list answer is not a JSON object');
  const record = body as Record<string, unknown>;
  const key =
    itemsKey && Array.isArray(record[itemsKey])
      ? itemsKey
      : Object.keys(record).find((k) => Array.isArray(record[k]));
  if (!key) throw new Error('the list answer holds no list');
  const next = record['next'];
  return { items: record[key] as T[], ...(typeof next === 'string' && next ? { next } : {}) };
}

/** The CLI's HTTP client: the token on every request, problem+json turned into ApiError. */
export class ApiClient {
  constructor(
    private readonly config: Pick<CliConfig, 'url' | 'token'>,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** The base URL requests go to (what --url, MUSTER_URL or the config named). */
  get baseUrl(): string {
    return this.config.url;
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(`${this.config.url}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** The raw response of a request whose status is 2xx; for streams (SSE). */
  async open(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      // No token (a site cache, asked directly): no authorization header at all.
      ...(this.config.token ? { authorization: `Bearer ${this.config.token}` } : {}),
      accept: 'application/json',
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const target = this.url(path, options.query);
    let res: Response;
    try {
      res = await this.fetchImpl(target, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(
        `cannot reach ${this.config.url} (${cause?.code ?? cause?.message ?? (err as Error).message}); is the stack running (npm start) and the URL right?`,
      );
    }
    if (!res.ok) {
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      throw new ApiError(res.status, problemLine(res.status, res.statusText, body), body);
    }
    return res;
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.open(method, path, options);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query ? { query } : {});
  }

  /** Every page of a list as the server answered it, following `next`. */
  async *pages(path: string, query: Query, itemsKey?: string): AsyncGenerator<unknown> {
    let after = typeof query['after'] === 'string' ? query['after'] : undefined;
    for (;;) {
      const body = await this.get(path, { ...query, ...(after ? { after } : {}) });
      yield body;
      const page = pageOf(body, itemsKey);
      if (!page.next || page.items.length === 0) return;
      after = page.next;
    }
  }
}
