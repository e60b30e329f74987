import type { TrustedKey } from '@muster/command-signing';
import { decodeRelease } from './decode-release.js';
import type { HeldRelease } from './held-release.js';
import type { SignedRelease } from './release-document.schema.js';
import { ReleaseRefusedError } from './release-refusal.js';
import { checkSignatures } from './release-signatures.js';

export interface ReleaseExpectation {
  releaseId?: string;
  image?: string;
  architecture?: string;
  /** The release must be promoted to this channel. */
  channel?: string;
}

export interface ReleaseDevice {
  architecture: string;
  boot: string;
  model?: string;
}

export interface VerifyReleaseOptions {
  trusted: readonly TrustedKey[];
  now: Date;
  /** Default MAX_RELEASE_DOCUMENT_BYTES. */
  maxBytes?: number;
  expect?: ReleaseExpectation;
  held?: HeldRelease;
  /** An operator's explicit rollback: a sequence below held.sequence is allowed, never below held.floor. */
  allowDowngrade?: boolean;
  device?: ReleaseDevice;
}

/**
 * A release document as a machine or cache must check it, in this order: size, shape,
 * signatures, and only then what the signed content says (what was asked for, expiry, rollback,
 * device). Returns the verified `signed` part; throws ReleaseRefusedError naming the reason.
 */
export function verifyRelease(bytes: Uint8Array, options: VerifyReleaseOptions): SignedRelease {
  checkOptions(options);
  const doc = decodeRelease(bytes, options.maxBytes);
  checkSignatures(doc, options.trusted);
  const signed = doc.signed;
  if (options.expect) checkExpected(signed, options.expect);
  if (options.now.getTime() >= Date.parse(signed.expiresAt))
    throw new ReleaseRefusedError(
      'expired',
      `release ${signed.releaseId}'s document expired at ${signed.expiresAt} (now ${options.now.toISOString()})`,
    );
  if (options.held) checkRollback(signed, options.held, options.allowDowngrade === true);
  if (options.device) checkDevice(signed, options.device);
  return signed;
}

function checkOptions(options: VerifyReleaseOptions): void {
  const { held } = options;
  if (held?.issuedAt === undefined) return;
  if (held.sequence === undefined) throw new TypeError('held.issuedAt needs held.sequence');
  if (Number.isNaN(Date.parse(held.issuedAt)))
    throw new TypeError(`held.issuedAt ${JSON.stringify(held.issuedAt)} is not a timestamp`);
}

function checkExpected(signed: SignedRelease, expect: ReleaseExpectation): void {
  for (const field of ['releaseId', 'image', 'architecture'] as const) {
    const wanted = expect[field];
    if (wanted !== undefined && signed[field] !== wanted)
      throw new ReleaseRefusedError(
        'mix-and-match',
        `the document's ${field} is ${JSON.stringify(signed[field])}, not the ${JSON.stringify(wanted)} asked for`,
      );
  }
  if (expect.channel !== undefined && !signed.channels.includes(expect.channel))
    throw new ReleaseRefusedError(
      'mix-and-match',
      `release ${signed.releaseId} is not on channel ${JSON.stringify(expect.channel)} (its channels: ${JSON.stringify(signed.channels)})`,
    );
}

function checkRollback(signed: SignedRelease, held: HeldRelease, allowDowngrade: boolean): void {
  const { sequence } = signed;
  if (held.floor !== undefined && sequence < held.floor)
    throw new ReleaseRefusedError(
      'rollback',
      `release ${signed.releaseId} has sequence ${sequence}, below the rollback floor ${held.floor}`,
    );
  if (held.sequence === undefined) return;
  if (sequence < held.sequence && !allowDowngrade)
    throw new ReleaseRefusedError(
      'rollback',
      `release ${signed.releaseId} has sequence ${sequence}, older than the ${held.sequence} held (a downgrade must be explicit)`,
    );
  if (
    sequence === held.sequence &&
    held.issuedAt !== undefined &&
    Date.parse(signed.issuedAt) < Date.parse(held.issuedAt)
  )
    throw new ReleaseRefusedError(
      'rollback',
      `release ${signed.releaseId}'s document was issued at ${signed.issuedAt}, before the copy held (${held.issuedAt})`,
    );
}

function checkDevice(signed: SignedRelease, device: ReleaseDevice): void {
  const { architectures, boot, models } = signed.compatibility;
  const misfit = !architectures.includes(device.architecture)
    ? `architecture ${JSON.stringify(device.architecture)} is not one of ${JSON.stringify(architectures)}`
    : !boot.includes(device.boot)
      ? `boot ${JSON.stringify(device.boot)} is not one of ${JSON.stringify(boot)}`
      : models.length > 0 && (device.model === undefined || !models.includes(device.model))
        ? `model ${JSON.stringify(device.model ?? '(unknown)')} is not one of ${JSON.stringify(models)}`
        : undefined;
  if (misfit)
    throw new ReleaseRefusedError(
      'incompatible',
      `release ${signed.releaseId} does not fit this machine: ${misfit}`,
    );
}
