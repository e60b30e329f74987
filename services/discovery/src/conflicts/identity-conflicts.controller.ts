import { Controller, Get, Inject, Query } from '@nestjs/common';
import { pageLimit } from '@muster/runtime';
import { z } from 'zod';
import type { IdentityConflictEntity } from './identity-conflict.entity.js';
import { IdentityConflictsRepository } from './identity-conflicts.repository.js';

const listQuery = z
  .object({
    limit: pageLimit,
    after: z
      .string()
      .regex(/^[0-9]{1,19}$/)
      .optional(),
    machineId: z.uuid().optional(),
  })
  .strict();

/** Identity conflicts for an operator: which machines disagree, on which keys, how often. */
@Controller('v1/discovery/conflicts')
export class IdentityConflictsController {
  constructor(@Inject(IdentityConflictsRepository) private readonly conflicts: IdentityConflictsRepository) {}

  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ conflicts: Omit<IdentityConflictEntity, 'conflictKey'>[]; next?: string }> {
    const rows = await this.conflicts.list({
      limit: query.limit,
      afterId: query.after,
      machineId: query.machineId,
    });
    const conflicts = rows.map(({ conflictKey: _key, ...rest }) => rest);
    const last = rows.at(-1);
    return rows.length === query.limit && last ? { conflicts, next: last.id } : { conflicts };
  }
}
