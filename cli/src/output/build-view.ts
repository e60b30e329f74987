import { formatBytes } from './progress.js';
import { cellText, renderRecord, renderTable, type Column } from './table.js';

/** A build as `GET /v1/builds` lists it (fields the server leaves out print as `-`). */
export interface BuildSummary {
  buildId: string;
  recipeName?: string;
  recipeVersion?: string;
  state?: string;
  phase?: string | null;
  percent?: number;
  createdAt?: string;
  finishedAt?: string;
}

export interface BuildOutput {
  kind: string;
  fileName: string;
  objectKey?: string;
  sha256: string;
  sizeBytes: number;
}

/** `GET /v1/builds/{id}`. */
export interface BuildDetail extends BuildSummary {
  recipeDigest?: string;
  architecture?: string;
  error?: string;
  retryable?: boolean;
  attempt?: number;
  startedAt?: string;
  outputs?: BuildOutput[];
  packageCount?: number;
  layerCache?: unknown;
}

/** The parts of `GET /v1/builds/{id}/provenance` that `builds show` sums up. */
export interface ProvenanceSummary {
  packageSet?: { source?: string; fromBuild?: string; digest?: string; count?: number };
  baseLayer?: { key?: string; cache?: string } | null;
  builder?: { name?: string; version?: string };
  tools?: Record<string, string>;
  sourceDateEpoch?: number;
  sbomSha256?: string;
}

/** The build's place in its life: `running (customizing 40%)`, `failed`. */
export function stateText(b: BuildSummary): string {
  const state = b.state ?? '-';
  if ((state === 'running' || state === 'cancelling') && b.phase) {
    return `${state} (${b.phase}${typeof b.percent === 'number' ? ` ${Math.round(b.percent)}%` : ''})`;
  }
  return state;
}

const recipeText = (b: BuildSummary) =>
  b.recipeName ? `${b.recipeName}${b.recipeVersion ? ` ${b.recipeVersion}` : ''}` : undefined;

export const buildColumns: readonly Column<BuildSummary>[] = [
  { header: 'BUILD', value: (b) => b.buildId, max: 36 },
  { header: 'RECIPE', value: recipeText, max: 32 },
  { header: 'STATE', value: stateText, max: 32 },
  { header: 'CREATED', value: (b) => b.createdAt, max: 24 },
  { header: 'FINISHED', value: (b) => b.finishedAt, max: 24 },
];

export const outputColumns: readonly Column<BuildOutput>[] = [
  { header: 'KIND', value: (o) => o.kind },
  { header: 'FILE', value: (o) => o.fileName, max: 40 },
  { header: 'SIZE', value: (o) => formatBytes(o.sizeBytes) },
  { header: 'SHA256', value: (o) => o.sha256, max: 64 },
];

export interface PackageRow {
  name: string;
  version: string;
  architecture?: string;
  source?: string;
  sourceVersion?: string;
  sha256?: string;
  sizeBytes?: number;
}

export const packageColumns: readonly Column<PackageRow>[] = [
  { header: 'NAME', value: (p) => p.name, max: 40 },
  { header: 'VERSION', value: (p) => p.version, max: 32 },
  { header: 'ARCH', value: (p) => p.architecture },
  { header: 'SOURCE', value: (p) => (p.source && p.source !== p.name ? p.source : undefined), max: 32 },
  { header: 'SIZE', value: (p) => formatBytes(p.sizeBytes) },
  { header: 'SHA256', value: (p) => p.sha256, max: 64 },
];

/** `builds show` for people: the build, its outputs with their SHA-256, and its provenance in short. */
export function renderBuild(b: BuildDetail, provenance?: ProvenanceSummary): string {
  const record: Record<string, unknown> = {
    build: b.buildId,
    recipe: recipeText(b),
    digest: b.recipeDigest,
    architecture: b.architecture,
    state: stateText(b),
    ...(b.error
      ? { error: `${b.error}${b.phase ? ` (in ${b.phase})` : ''}${b.retryable ? '; retryable' : ''}` }
      : {}),
    attempt: b.attempt,
    created: b.createdAt,
    started: b.startedAt,
    finished: b.finishedAt,
    packages: b.packageCount,
    'layer cache': b.layerCache,
  };
  const parts = [renderRecord(record)];
  if (b.outputs && b.outputs.length > 0) parts.push(renderTable(b.outputs, outputColumns));
  if (provenance) parts.push(`provenance\n${indent(renderRecord(provenanceRecord(provenance)))}`);
  return parts.join('\n\n');
}

function provenanceRecord(p: ProvenanceSummary): Record<string, unknown> {
  const set = p.packageSet;
  const setText = set
    ? [
        set.source === 'kept' ? `kept from build ${set.fromBuild ?? '?'}` : (set.source ?? '-'),
        set.count !== undefined ? `${set.count} packages` : undefined,
        set.digest ? `sha256 ${set.digest}` : undefined,
      ]
        .filter(Boolean)
        .join(', ')
    : undefined;
  return {
    'package set': setText,
    'base layer': p.baseLayer ? `${p.baseLayer.key ?? '?'} (cache ${p.baseLayer.cache ?? '?'})` : 'none',
    builder: p.builder ? `${p.builder.name ?? '?'} ${p.builder.version ?? ''}`.trim() : undefined,
    tools: p.tools
      ? Object.entries(p.tools)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : undefined,
    'source date':
      typeof p.sourceDateEpoch === 'number'
        ? `${new Date(p.sourceDateEpoch * 1000).toISOString()} (SOURCE_DATE_EPOCH=${p.sourceDateEpoch})`
        : undefined,
    sbom: p.sbomSha256 ? `sha256 ${p.sbomSha256}` : undefined,
  };
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

/** The queue counts of `GET /v1/builds`, one line: `queue: waiting=2 active=1`. */
export function queueLine(queue: unknown): string | undefined {
  if (typeof queue !== 'object' || queue === null) return undefined;
  return `queue: ${cellText(queue).replaceAll(',', ' ')}`;
}
