import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { actorOf } from '@muster/api-auth';
import { encodeTimeCursor, InvalidInputError, nextPage, type TimePageQuery } from '@muster/runtime';
import { InvalidSelectionError, selectContracts } from '../events/event-selection.js';
import { FLEET_EVENTS_SETTINGS, type FleetEventsSettings } from '../events/fleet-events.config.js';
import type { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity.js';
import { newWebhookSecret } from './webhook-signature.js';
import { WebhookTargetError, WebhookTargetPolicy } from './webhook-target.js';
import {
  createWebhookBody,
  pageQuery,
  webhookIdParam,
  type CreateWebhookBody,
} from './webhooks-http.schema.js';
import { WebhooksRepository } from './webhooks.repository.js';

function view(w: WebhookEntity) {
  return {
    webhookId: w.webhookId,
    url: w.url,
    types: w.types,
    ...(w.siteId ? { site: w.siteId } : {}),
    createdBy: w.createdBy,
    createdAt: w.createdAt.toISOString(),
  };
}

function deliveryView(d: WebhookDeliveryEntity) {
  return {
    deliveryId: d.deliveryId,
    eventId: d.eventId,
    eventType: d.eventType,
    state: d.state,
    attempts: d.attempts,
    ...(d.state === 'pending' ? { nextAttemptAt: d.nextAttemptAt.toISOString() } : {}),
    ...(d.lastStatus !== null ? { lastStatus: d.lastStatus } : {}),
    ...(d.lastError !== null ? { lastError: d.lastError } : {}),
    createdAt: d.createdAt.toISOString(),
    ...(d.deliveredAt ? { deliveredAt: d.deliveredAt.toISOString() } : {}),
  };
}

/** Webhooks: registered receivers of fleet events, and what was delivered to them. */
@Controller('v1/webhooks')
export class WebhooksController {
  private readonly targets: WebhookTargetPolicy;

  constructor(
    @Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository,
    @Inject(FLEET_EVENTS_SETTINGS) settings: FleetEventsSettings,
  ) {
    this.targets = new WebhookTargetPolicy(settings.webhookAllowedNetworks);
  }

  /** 201 with the webhook and its signing secret — the only time the secret is shown. */
  @Post()
  @HttpCode(201)
  async create(@Body({ schema: createWebhookBody }) body: CreateWebhookBody, @Req() req: object) {
    let url: URL;
    try {
      url = this.targets.parse(body.url);
      await this.targets.check(url);
    } catch (err) {
      if (err instanceof WebhookTargetError) throw InvalidInputError.of('url', 'body', err.message);
      throw err;
    }
    const types = body.types ?? [];
    try {
      selectContracts({ types, ...(body.site !== undefined ? { site: body.site } : {}) });
    } catch (err) {
      if (err instanceof InvalidSelectionError) throw InvalidInputError.of(err.field, 'body', err.message);
      throw err;
    }
    const secret = newWebhookSecret();
    const created = await this.webhooks.create({
      webhookId: randomUUID(),
      url: url.toString(),
      types,
      siteId: body.site ?? null,
      secret,
      createdBy: actorOf(req),
    });
    return { ...view(created), secret };
  }

  @Get()
  async list(@Query({ schema: pageQuery }) query: TimePageQuery) {
    const rows = await this.webhooks.page(query.limit, query.after);
    return {
      webhooks: rows.map(view),
      ...nextPage(rows, query.limit, (r) => encodeTimeCursor({ at: r.at, id: r.webhookId })),
    };
  }

  @Get(':id')
  async get(@Param('id', { schema: webhookIdParam }) id: string) {
    const hook = await this.webhooks.find(id);
    if (!hook) throw new NotFoundException(`no webhook ${id}`);
    return view(hook);
  }

  /** Deletes the webhook: nothing more is delivered to it, and its deliveries go with it. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', { schema: webhookIdParam }) id: string): Promise<void> {
    if (!(await this.webhooks.delete(id))) throw new NotFoundException(`no webhook ${id}`);
  }

  /** Its deliveries, newest first: state (pending, delivered, failed), attempts, last answer. */
  @Get(':id/deliveries')
  async deliveries(
    @Param('id', { schema: webhookIdParam }) id: string,
    @Query({ schema: pageQuery }) query: TimePageQuery,
  ) {
    if (!(await this.webhooks.find(id))) throw new NotFoundException(`no webhook ${id}`);
    const rows = await this.webhooks.deliveries(id, query.limit, query.after);
    return {
      deliveries: rows.map(deliveryView),
      ...nextPage(rows, query.limit, (r) => encodeTimeCursor({ at: r.at, id: r.deliveryId })),
    };
  }
}
