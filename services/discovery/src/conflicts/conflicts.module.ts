import { Module } from '@nestjs/common';
import { IdentityConflictsController } from './identity-conflicts.controller.js';
import { IdentityConflictsRepository } from './identity-conflicts.repository.js';

@Module({
  controllers: [IdentityConflictsController],
  providers: [IdentityConflictsRepository],
  exports: [IdentityConflictsRepository],
})
export class ConflictsModule {}
