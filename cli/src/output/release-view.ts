import { formatBytes } from './progress.js';
import { cellText, renderRecord, renderTable, type Column } from './table.js';

/** A release as `GET /v1/releases` lists it (fields the server leaves out print as `-`). */
export interface ReleaseSummary {
  releaseId: string;
  imageName?: string;
  version?: string;
  sequence?: number;
  architecture?: string;
  state?: string;
  channels?: string[];
  rollbackFloor?: number;
  totalSizeBytes?: number;
  newStoredBytes?: number;
  reusedBytes?: number;
  buildId?: string | null;
  publishedAt?: string;
}

export interface ReleaseFileRow {
  name: string;
  kind?: string;
  sha256?: string;
  lengthBytes?: number;
  manifestSha256?: string;
  chunkCount?: number;
  storedBytes?: number;
  chunking?: string;
}

/** `GET /v1/releases/{id}`. */
export interface ReleaseDetail extends ReleaseSummary {
  recipeDigest?: string | null;
  compatibility?: unknown;
  revokedAt?: string | null;
  revokedReason?: string | null;
  files?: ReleaseFileRow[];
  document?: { sha256: string; issuedAt: string; expiresAt: string } | null;
  pins?: { holder: string; updatedAt: string }[];
}

export const releaseColumns: readonly Column<ReleaseSummary>[] = [
  { header: 'RELEASE', value: (r) => r.releaseId, max: 36 },
  { header: 'IMAGE', value: (r) => r.imageName, max: 32 },
  { header: 'VERSION', value: (r) => r.version, max: 16 },
  { header: 'SEQ', value: (r) => r.sequence },
  { header: 'ARCH', value: (r) => r.architecture },
  { header: 'STATE', value: (r) => r.state },
  { header: 'CHANNELS', value: (r) => r.channels, max: 32 },
  { header: 'SIZE', value: (r) => formatBytes(r.totalSizeBytes) },
  { header: 'NEW STORED', value: (r) => formatBytes(r.newStoredBytes) },
  { header: 'PUBLISHED', value: (r) => r.publishedAt, max: 24 },
];

export const releaseFileColumns: readonly Column<ReleaseFileRow>[] = [
  { header: 'FILE', value: (f) => f.name, max: 40 },
  { header: 'KIND', value: (f) => f.kind },
  { header: 'SIZE', value: (f) => formatBytes(f.lengthBytes) },
  { header: 'CHUNKS', value: (f) => f.chunkCount },
  { header: 'STORED', value: (f) => formatBytes(f.storedBytes) },
  { header: 'CHUNKING', value: (f) => f.chunking },
  { header: 'SHA256', value: (f) => f.sha256, max: 64 },
];

const pinColumns: readonly Column<{ holder: string; updatedAt: string }>[] = [
  { header: 'PINNED BY', value: (p) => p.holder, max: 60 },
  { header: 'SINCE', value: (p) => p.updatedAt, max: 24 },
];

/** `releases show` for people: the release, its files, and who pins it. */
export function renderRelease(r: ReleaseDetail): string {
  const revoked =
    r.state === 'revoked'
      ? `revoked${r.revokedAt ? ` at ${r.revokedAt}` : ''}${r.revokedReason ? `: ${r.revokedReason}` : ''}`
      : r.state;
  const record: Record<string, unknown> = {
    release: r.releaseId,
    image: r.imageName,
    version: r.version,
    architecture: r.architecture,
    sequence: r.sequence,
    state: revoked,
    channels: r.channels && r.channels.length > 0 ? r.channels.join(', ') : 'none',
    'rollback floor': r.rollbackFloor,
    size: formatBytes(r.totalSizeBytes),
    'new stored': formatBytes(r.newStoredBytes),
    reused: formatBytes(r.reusedBytes),
    build: r.buildId,
    'recipe digest': r.recipeDigest,
    published: r.publishedAt,
    document: r.document
      ? `sha256 ${r.document.sha256}, issued ${r.document.issuedAt}, expires ${r.document.expiresAt}`
      : 'none',
    compatibility: cellText(r.compatibility),
  };
  const parts = [renderRecord(record)];
  if (r.files && r.files.length > 0) parts.push(renderTable(r.files, releaseFileColumns));
  if (r.pins && r.pins.length > 0) parts.push(renderTable(r.pins, pinColumns));
  else parts.push('pins: none');
  return parts.join('\n\n');
}

/** `POST /v1/releases/{id}/delta-plan`. */
export interface DeltaPlan {
  releaseId?: string;
  files: {
    name: string;
    manifestSha256?: string;
    totalBytes: number;
    chunks: number;
    needChunks: number;
    needStoredBytes: number;
    reusedBytes: number;
  }[];
  needChunks?: number;
  needStoredBytes: number;
  reusedBytes?: number;
}

export const deltaColumns: readonly Column<DeltaPlan['files'][number]>[] = [
  { header: 'FILE', value: (f) => f.name, max: 40 },
  { header: 'SIZE', value: (f) => formatBytes(f.totalBytes) },
  { header: 'CHUNKS', value: (f) => f.chunks },
  { header: 'NEED', value: (f) => f.needChunks },
  { header: 'TO FETCH', value: (f) => formatBytes(f.needStoredBytes) },
  { header: 'REUSED', value: (f) => formatBytes(f.reusedBytes) },
];

/** The plan's total as one line: `to fetch: 12 chunks, 180.0 KiB stored; reused 40.0 MiB of 40.2 MiB (99.5%)`. */
export function deltaTotal(plan: DeltaPlan): string {
  const total = plan.files.reduce((s, f) => s + f.totalBytes, 0);
  const reused = plan.reusedBytes ?? plan.files.reduce((s, f) => s + f.reusedBytes, 0);
  const need = plan.needChunks ?? plan.files.reduce((s, f) => s + f.needChunks, 0);
  const share = total > 0 ? ` (${((reused / total) * 100).toFixed(1)}%)` : '';
  return `to fetch: ${need} chunk${need === 1 ? '' : 's'}, ${formatBytes(plan.needStoredBytes)} stored; reused ${formatBytes(reused)} of ${formatBytes(total)}${share}`;
}

export interface ChannelRow {
  channel: string;
  imageName?: string;
  architecture?: string;
  releaseId?: string;
  sequence?: number;
  updatedAt?: string;
}

export const channelColumns: readonly Column<ChannelRow>[] = [
  { header: 'CHANNEL', value: (c) => c.channel, max: 32 },
  { header: 'IMAGE', value: (c) => c.imageName, max: 32 },
  { header: 'ARCH', value: (c) => c.architecture },
  { header: 'RELEASE', value: (c) => c.releaseId, max: 36 },
  { header: 'SEQ', value: (c) => c.sequence },
  { header: 'UPDATED', value: (c) => c.updatedAt, max: 24 },
];

/** `POST /v1/gc`. */
export interface GcReport {
  dryRun?: boolean;
  releasesRemoved?: string[];
  manifestsRemoved?: number;
  chunksRemoved?: number;
  storedBytesFreed?: number;
  orphanObjectsRemoved?: number;
  skipped?: string;
}

/** The report for people; a dry run says "would". */
export function renderGcReport(r: GcReport): string {
  if (r.skipped) return `gc skipped: ${r.skipped}`;
  const verb = r.dryRun ? 'would remove' : 'removed';
  const releases = r.releasesRemoved ?? [];
  return renderRecord({
    [r.dryRun ? 'dry run' : 'run']: r.dryRun ? 'nothing removed' : 'done',
    [`releases ${verb}`]: releases.length === 0 ? 'none' : `${releases.length}: ${releases.join(', ')}`,
    [`manifests ${verb}`]: r.manifestsRemoved,
    [`chunks ${verb}`]: r.chunksRemoved,
    [r.dryRun ? 'stored bytes freed (estimate)' : 'stored bytes freed']: formatBytes(r.storedBytesFreed),
    ...(r.dryRun ? {} : { 'orphan objects removed': r.orphanObjectsRemoved }),
  });
}
