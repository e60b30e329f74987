import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { headers as H } from '@muster/contracts';
import { Metrics } from '@muster/observability';
import { FLEET_EVENTS_SETTINGS, type FleetEventsSettings } from '../events/fleet-events.config.js';
import { nextAttemptDelay, type RetryPolicy } from './retry-policy.js';
import { SIGNATURE_HEADER, signatureOf } from './webhook-signature.js';
import { WebhookTargetPolicy } from './webhook-target.js';
import { WebhooksRepository, type ClaimedDelivery } from './webhooks.repository.js';

const BATCH = 20;
const PURGE_EVERY_MS = 3_600_000;

/**
 * Sends due deliveries. Every instance runs one; a delivery is claimed with `FOR UPDATE SKIP
 * LOCKED` and leased past the POST's timeout, so instances side by side never send the same
 * delivery at once, and one that dies mid-way frees its claims when the lease ends. A receiver
 * that answers 2xx has it; anything else (another status, a redirect, a timeout, a refused
 * address) is retried with back-off and full jitter until the attempts or the age are spent,
 * then the delivery is marked failed.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private readonly policy: RetryPolicy;
  private readonly targets: WebhookTargetPolicy;
  private readonly attempts: ReturnType<Metrics['counter']> | undefined;

  constructor(
    @Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository,
    @Inject(FLEET_EVENTS_SETTINGS) private readonly settings: FleetEventsSettings,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    this.attempts = metrics?.counter({
      name: 'muster_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome: delivered, retried, failed (given up)',
      labelNames: ['outcome'] as const,
    });
    this.policy = {
      baseMs: settings.webhookRetryBaseMs,
      maxMs: settings.webhookRetryMaxMs,
      maxAttempts: settings.webhookMaxAttempts,
      maxAgeMs: settings.webhookMaxAgeSeconds * 1000,
    };
    this.targets = new WebhookTargetPolicy(settings.webhookAllowedNetworks);
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_EVERY_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.purgeTimer);
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let claimed: ClaimedDelivery[] = [];
      try {
        claimed = await this.webhooks.claimDue(BATCH, this.settings.webhookTimeoutMs + 5_000);
        await Promise.all(claimed.map((d) => this.deliver(d)));
      } catch (err) {
        if (!signal.aborted) this.logger.warn(`delivery round failed: ${(err as Error).message}`);
      }
      if (claimed.length < BATCH) await sleep(this.settings.webhookPollMs, signal);
    }
  }

  private async purge(): Promise<void> {
    try {
      const removed = await this.webhooks.purgeFinished(this.settings.webhookRetentionDays);
      if (removed > 0) this.logger.log(`forgot ${removed} finished deliveries past retention`);
    } catch (err) {
      this.logger.warn(`purging finished deliveries failed: ${(err as Error).message}`);
    }
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    let status: number | null = null;
    let error: string | undefined;
    try {
      const url = this.targets.parse(d.url);
      // Checked again at each attempt: a name may resolve elsewhere than at registration.
      await this.targets.check(url);
      const t = Math.floor(Date.now() / 1000);
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.settings.webhookTimeoutMs), this.stopping.signal]),
        headers: {
          'content-type': 'application/cloudevents+json; charset=utf-8',
          'user-agent': 'muster-webhooks/1',
          [SIGNATURE_HEADER]: signatureOf(d.secret, t, d.body),
          [H.ceId]: d.eventId,
          [H.ceType]: d.eventType,
          [H.ceSpecVersion]: '1.0',
        },
        body: d.body,
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        await this.webhooks.recordAttempt(d.deliveryId, { state: 'delivered', status });
        this.attempts?.inc({ outcome: 'delivered' });
        return;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      if (this.stopping.signal.aborted) return; // the lease ends and another attempt follows
      error = describe(err);
    }
    const attemptsMade = d.attempts + 1;
    const delay = nextAttemptDelay(this.policy, attemptsMade, Date.now() - d.createdAt.getTime());
    if (delay === undefined) {
      this.logger.warn(
        `webhook ${d.webhookId}: giving up on ${d.eventId} after ${attemptsMade} attempts (${error})`,
      );
      await this.webhooks.recordAttempt(d.deliveryId, { state: 'failed', status, error });
      this.attempts?.inc({ outcome: 'failed' });
    } else {
      this.attempts?.inc({ outcome: 'retried' });
      await this.webhooks.recordAttempt(d.deliveryId, {
        state: 'pending',
        status,
        error,
        retryAt: new Date(Date.now() + delay),
      });
    }
  }
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
