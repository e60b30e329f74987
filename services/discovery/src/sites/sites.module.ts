import { Module } from '@nestjs/common';
import { SiteNetworksController } from './site-networks.controller.js';
import { SiteNetworksRepository } from './site-networks.repository.js';

@Module({
  controllers: [SiteNetworksController],
  providers: [SiteNetworksRepository],
})
export class SitesModule {}
