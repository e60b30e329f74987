import {
  fleetEvents,
  patternCovers,
  SAFE_TOKEN,
  streams,
  type MessageContract,
  type StreamName,
} from '@muster/contracts';

/** Which fleet events a reader wants: CloudEvents types (exact, or a prefix ending in `*`) and a site. */
export interface EventSelection {
  types?: readonly string[];
  site?: string;
}

export class InvalidSelectionError extends Error {
  override readonly name = 'InvalidSelectionError';
  constructor(
    readonly field: 'types' | 'site',
    message: string,
  ) {
    super(message);
  }
}

/** What one stream is read with: the server-side filter, and the contracts that pass. */
export interface StreamPlan {
  stream: StreamName;
  /** One subject filter for the consumer (undefined: the whole stream). */
  filterSubject: string | undefined;
  contracts: readonly MessageContract[];
}

/** `io.muster.inventory.*` matches every type under the prefix; `*` alone matches every type. */
export function typeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

const TYPE_PATTERN = /^(\*|[a-z0-9][a-z0-9.-]{0,200}\*?)$/;

/**
 * The fleet events a selection names. A type or prefix that names no fleet event is refused
 * (a typo would otherwise be a stream that never says anything), as is a site that is not a
 * subject token. Fleet-wide events (groups, profiles, images, rollouts) belong to no site: a
 * site filter leaves them out.
 */
export function selectContracts(selection: EventSelection): MessageContract[] {
  const patterns = selection.types ?? [];
  for (const p of patterns) {
    if (!TYPE_PATTERN.test(p))
      throw new InvalidSelectionError('types', `"${p}" is not a CloudEvents type or prefix*`);
    if (!fleetEvents.some((c) => typeMatches(p, c.type))) {
      throw new InvalidSelectionError(
        'types',
        `"${p}" names no fleet event; known: ${fleetEvents.map((c) => c.type).join(', ')}`,
      );
    }
  }
  if (selection.site !== undefined && !SAFE_TOKEN.test(selection.site)) {
    throw new InvalidSelectionError('site', 'must be a site id (letters, digits, - and _)');
  }
  return fleetEvents.filter(
    (c) =>
      (patterns.length === 0 || patterns.some((p) => typeMatches(p, c.type))) &&
      (selection.site === undefined || c.tokens.includes('siteId')),
  );
}

/**
 * The narrowest single subject filter covering every pattern (nats-server 2.9 takes one per
 * consumer): equal tokens stay, differing ones become `*`, and patterns of different lengths
 * share their common prefix followed by `>`. The server does the coarse filtering (by site,
 * by area); the reader checks each message against the exact contracts.
 */
export function coveringFilter(patterns: readonly string[]): string {
  const split = patterns.map((p) => p.split('.'));
  const first = split[0];
  if (!first) throw new Error('no subject pattern');
  if (split.every((t) => t.length === first.length && t.at(-1) !== '>')) {
    return first.map((token, i) => (split.every((t) => t[i] === token) ? token : '*')).join('.');
  }
  const prefix: string[] = [];
  for (let i = 0; ; i++) {
    const token = first[i];
    if (token === undefined || token === '>' || !split.every((t) => t[i] === token && i < t.length - 1))
      break;
    prefix.push(token);
  }
  return [...prefix, '>'].join('.');
}

/** One read per stream that holds a selected contract, filtered by site on the server. */
export function planStreams(selection: EventSelection): StreamPlan[] {
  const selected = selectContracts(selection);
  const byStream = new Map<StreamName, MessageContract[]>();
  for (const c of selected) byStream.set(c.stream, [...(byStream.get(c.stream) ?? []), c]);
  return [...byStream].map(([stream, contracts]) => {
    const filter = coveringFilter(
      contracts.map((c) => (selection.site !== undefined ? c.pattern({ siteId: selection.site }) : c.filter)),
    );
    // nats-server 2.9 refuses a filter that is not inside one of the stream's subjects (e.g.
    // `muster.>` for site-scoped and fleet-wide events together): then the whole stream is read.
    const inside = streams.find((s) => s.name === stream)?.subjects.some((s) => patternCovers(s, filter));
    return { stream, filterSubject: inside ? filter : undefined, contracts };
  });
}

/** The site of an event from its subject (the `{siteId}` token), if its contract has one. */
export function siteOf(contract: MessageContract, subject: string): string | undefined {
  const at = contract.subjectTemplate.split('.').indexOf('{siteId}');
  return at < 0 ? undefined : subject.split('.')[at];
}
