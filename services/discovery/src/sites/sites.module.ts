import { Module } from '@nestjs/common';
import { SiteEventsHandlers } from './site-events.handlers.js';
import { SiteNetworksController } from './site-networks.controller.js';
import { SiteNetworksRepository } from './site-networks.repository.js';

@Module({
  controllers: [SiteNetworksController],
  providers: [SiteNetworksRepository, SiteEventsHandlers],
})
export class SitesModule {}
