import { Module } from '@nestjs/common';
import type { ServiceParts } from '@muster/runtime';
import { Rollouts1763800000100 } from './migrations/1763800000100-rollouts.js';
import { RolloutsController } from './rollouts/rollouts.controller.js';
import { RolloutsRepository } from './rollouts/rollouts.repository.js';

@Module({ controllers: [RolloutsController], providers: [RolloutsRepository] })
class RolloutsModule {}

export const schedulerParts: ServiceParts = {
  features: [RolloutsModule],
  entities: [],
  migrations: [Rollouts1763800000100],
  // Lists rollouts from its own tables.
  readiness: ['postgres'],
};
