import { isIP, type BlockList } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { HardwareFactsSchema, InvalidMessageError, validate, type HardwareFacts } from '@muster/contracts';
import { OutboxRelay } from '@muster/persistence';
import { DISCOVERY_OPTIONS, type DiscoveryOptions } from '../discovery.config.js';
import { normalizeIdentity, normalizeMac } from '../identity/hardware-identity.js';
import { identityKeys, lockIds } from '../identity/identity-keys.js';
import { addressToLocate, networkSet, type ReportOrigin } from '../sites/site-decision.js';
import type { DiscoveryReport } from './discovery-report.schema.js';
import { KeyedBatcher } from './keyed-batcher.js';
import { ReportBatchProcessor } from './report-batch.processor.js';
import type { ReportItem, ReportOutcome } from './report-outcome.js';

export { UNASSIGNED_SITE, type ReportOutcome } from './report-outcome.js';

/** Reports decided in one transaction at most; batches in flight at once (≤ the pool). */
const MAX_BATCH = 64;
const MAX_CONCURRENT_BATCHES = 4;

/**
 * Turns a boot-time report into a machine identity:
 * - a machine seen for the first time is recorded and announced (`machine.discovered`,
 *   revision 1);
 * - a known machine whose identity grew (a new NIC, a UUID or serial learned) is stored with
 *   the next revision and announced again (`rediscovered`), so inventory updates its record;
 * - a known machine with nothing new is counted;
 * - a report whose keys disagree with known machines is recorded as a conflict for an
 *   operator (`GET /v1/discovery/conflicts`) and never merged: it becomes a new machine of its
 *   own (see decideIdentity), or, when it fits several machines equally, is held.
 *
 * The site is the server's decision, from the site networks (see addressToLocate); a siteId
 * the client claims is ignored, and recorded beside the decision when it disagrees.
 *
 * Reports that arrive together are decided together (ReportBatchProcessor), locking only
 * their own identity keys: a boot storm costs a transaction per batch, not per report.
 */
@Injectable()
export class DiscoveryReportsService {
  private readonly trustedRelays: BlockList;
  private readonly batcher: KeyedBatcher<ReportItem, ReportOutcome>;

  constructor(
    @Inject(ReportBatchProcessor) processor: ReportBatchProcessor,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(DISCOVERY_OPTIONS) options: DiscoveryOptions,
  ) {
    this.trustedRelays = networkSet(options.trustedRelays);
    this.batcher = new KeyedBatcher((items) => processor.process(items), {
      maxBatch: MAX_BATCH,
      maxConcurrent: MAX_CONCURRENT_BATCHES,
      keysOf: (item) => item.lockIds,
    });
  }

  async receive(report: DiscoveryReport, origin: ReportOrigin): Promise<ReportOutcome> {
    const identity = normalizeIdentity(report);
    const located = addressToLocate(origin, this.trustedRelays);
    const outcome = await this.batcher.submit({
      report,
      identity,
      hardware: parseHardware(report.hardware),
      bootMac: (report.bootMac && normalizeMac(report.bootMac)) || identity.macs[0]!,
      source: origin.source,
      locateBy: isIP(located.address) ? located.address : undefined,
      lockIds: lockIds(identityKeys(identity)),
    });
    if (outcome.kind === 'created' || outcome.kind === 'updated') this.relay.kick();
    return outcome;
  }
}

/** Hardware facts arrive as the protobuf JSON form; the schema's rules validate them. */
function parseHardware(json: Record<string, unknown>): HardwareFacts {
  try {
    return validate(HardwareFactsSchema, fromJson(HardwareFactsSchema, json as JsonValue));
  } catch (err) {
    if (err instanceof InvalidMessageError) throw err;
    throw new InvalidMessageError(HardwareFactsSchema.typeName, `hardware: ${(err as Error).message}`);
  }
}
