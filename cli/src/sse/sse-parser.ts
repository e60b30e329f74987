/** One server-sent event as the stream spelled it. */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Server-sent events from text chunks (the WHATWG event-stream format): `field: value` lines,
 * a blank line ends an event, lines starting with `:` are comments (heartbeats), `data` lines
 * join with newlines. Feed it chunks as they arrive; it keeps the incomplete tail.
 */
export class SseParser {
  private buffer = '';
  private current: { id?: string; event?: string; data: string[] } = { data: [] };

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const at = this.buffer.search(/\r\n|\r|\n/);
      if (at < 0) break;
      const line = this.buffer.slice(0, at);
      const eol = this.buffer.startsWith('\r\n', at) ? 2 : 1;
      this.buffer = this.buffer.slice(at + eol);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      const { id, event, data } = this.current;
      this.current = { data: [] };
      if (data.length === 0) return undefined;
      return {
        ...(id !== undefined ? { id } : {}),
        ...(event !== undefined ? { event } : {}),
        data: data.join('\n'),
      };
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.current.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.current.id = value;
    else if (field === 'event') this.current.event = value;
    return undefined;
  }
}
