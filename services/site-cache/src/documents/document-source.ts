import { Inject, Injectable, Logger } from '@nestjs/common';
import { MAX_RELEASE_DOCUMENT_BYTES } from '@muster/chunks';
import { OriginClient, OriginUnavailableError } from '../origin/origin-client.js';
import { DiskStore } from '../store/disk-store.js';

export interface DocumentAnswer {
  status: number;
  contentType: string;
  body: Buffer;
  /** Served from the last good copy because the origin did not answer. */
  stale: boolean;
}

/** The expiry a signed document states (unverified: clients verify it); undefined when unreadable. */
function expiresAt(body: Buffer): Date | undefined {
  try {
    const value = (JSON.parse(body.toString('utf8')) as { signed?: { expiresAt?: unknown } }).signed
      ?.expiresAt;
    const at = typeof value === 'string' ? new Date(value) : undefined;
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Release documents passed through from the origin, each good answer kept on disk. While the
 * origin does not answer, the last good copy is served until the expiry it states; the origin's
 * 404 removes the copy (a release it no longer serves). Documents are signed: the cache neither
 * holds keys nor needs them, machines verify.
 */
@Injectable()
export class DocumentSource {
  private readonly logger = new Logger('DocumentSource');

  constructor(
    @Inject(DiskStore) private readonly disk: DiskStore,
    @Inject(OriginClient) private readonly origin: OriginClient,
  ) {}

  release(releaseId: string): Promise<DocumentAnswer> {
    return this.passThrough(`/v1/releases/${releaseId}/document`, ['releases', `${releaseId}.json`]);
  }

  channel(channel: string, image: string, architecture: string): Promise<DocumentAnswer> {
    return this.passThrough(`/v1/channels/${channel}/${image}/${architecture}`, [
      'channels',
      channel,
      image,
      `${architecture}.json`,
    ]);
  }

  private async passThrough(path: string, parts: readonly string[]): Promise<DocumentAnswer> {
    try {
      const answer = await this.origin.raw(path, MAX_RELEASE_DOCUMENT_BYTES);
      if (answer.status === 200) await this.disk.writeDocument(parts, answer.body);
      if (answer.status === 404) await this.disk.removeDocument(parts);
      return { ...answer, stale: false };
    } catch (error) {
      if (!(error instanceof OriginUnavailableError)) throw error;
      const copy = await this.disk.readDocument(parts);
      const expiry = copy && expiresAt(copy);
      if (copy && (!expiry || expiry.getTime() > Date.now())) {
        this.logger.warn(`origin unavailable, serving the last good copy of ${path}: ${error.message}`);
        return { status: 200, contentType: 'application/json', body: copy, stale: true };
      }
      throw error;
    }
  }
}
