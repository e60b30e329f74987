import { Module } from '@nestjs/common';
import { catalogController } from './catalog.controller.js';
import { CatalogRepository } from './catalog.repository.js';
import { groupKind } from './group.kind.js';
import { profileKind } from './profile.kind.js';
import { ruleKind } from './rule.kind.js';
import { siteKind } from './site.kind.js';

@Module({
  controllers: [siteKind, groupKind, profileKind, ruleKind].map(catalogController),
  providers: [CatalogRepository],
  exports: [CatalogRepository],
})
export class CatalogModule {}
