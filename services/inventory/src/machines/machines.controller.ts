import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { actorOf, InvalidInputError, nextPage } from '@muster/runtime';
import { CatalogReferenceError } from '../catalog/catalog-kind.js';
import { MachineListing } from '../listing/machine-listing.repository.js';
import { machineJson } from './machine-json.js';
import { MachineOperations } from './machine-operations.js';
import { MachineRefusedError, type ChangeResult } from './machine-writer.js';
import {
  assignBody,
  historyQuery,
  listQuery,
  machineIdParam,
  machinePatch,
  retireBody,
  transitionBody,
  type AssignBody,
  type HistoryQuery,
  type ListQuery,
  type MachinePatch,
  type RetireBody,
  type TransitionBody,
} from './machines-query.schema.js';
import { MachinesRepository, type HistoryEntry } from './machines.repository.js';
import type { MachineEntity } from './machine.entity.js';

const asJson = (row: MachineEntity): unknown => machineJson(row);

/** Machines in their protobuf JSON form, the same shape other systems get on the bus. */
@Controller('v1/machines')
export class MachinesController {
  constructor(
    @Inject(MachinesRepository) private readonly machines: MachinesRepository,
    @Inject(MachineListing) private readonly listing: MachineListing,
    @Inject(MachineOperations) private readonly operations: MachineOperations,
  ) {}

  /** One page; `next`, when present, is the `after` of the next page in the same sort. */
  @Get()
  async list(
    @Query({ schema: listQuery }) query: ListQuery,
  ): Promise<{ machines: unknown[]; next?: string }> {
    const page = await this.listing.page({
      site: query.site,
      group: query.group,
      profile: query.profile,
      state: query.state,
      labels: query.label,
      release: query.release,
      seenBefore: query.seenBefore,
      seenAfter: query.seenAfter,
      q: query.q,
      sort: query.sort,
      after: query.cursor,
      limit: query.limit,
    });
    return { machines: page.rows.map(asJson), ...(page.next ? { next: page.next } : {}) };
  }

  @Get(':id')
  async get(@Param('id', { schema: machineIdParam }) id: string): Promise<unknown> {
    const row = await this.machines.findById(id);
    if (!row) throw new NotFoundException(`no machine ${id}`);
    return asJson(row);
  }

  /** Labels (merge patch) and hostname. */
  @Patch(':id')
  async patch(
    @Param('id', { schema: machineIdParam }) id: string,
    @Body({ schema: machinePatch }) body: MachinePatch,
    @Req() request: object,
  ): Promise<unknown> {
    return this.respond(id, () => this.operations.patch(id, body, actorOf(request, 'operator:unknown')));
  }

  /** The operator's override: pins the machine against assignment rules. */
  @Post(':id/assign')
  @HttpCode(200)
  async assign(
    @Param('id', { schema: machineIdParam }) id: string,
    @Body({ schema: assignBody }) body: AssignBody,
    @Req() request: object,
  ): Promise<unknown> {
    return this.respond(id, () => this.operations.assign(id, body, actorOf(request, 'operator:unknown')));
  }

  /** Only legal moves; 409 names the reason. */
  @Post(':id/transition')
  @HttpCode(200)
  async transition(
    @Param('id', { schema: machineIdParam }) id: string,
    @Body({ schema: transitionBody }) body: TransitionBody,
    @Req() request: object,
  ): Promise<unknown> {
    return this.respond(id, () =>
      this.operations.transition(id, body.state, body.reason, actorOf(request, 'operator:unknown')),
    );
  }

  @Post(':id/retire')
  @HttpCode(200)
  async retire(
    @Param('id', { schema: machineIdParam }) id: string,
    @Body({ schema: retireBody }) body: RetireBody,
    @Req() request: object,
  ): Promise<unknown> {
    return this.respond(id, () =>
      this.operations.retire(id, body.reason, actorOf(request, 'operator:unknown')),
    );
  }

  /** One page of a machine's history, oldest first; 404 for a machine inventory does not know. */
  @Get(':id/history')
  async history(
    @Param('id', { schema: machineIdParam }) id: string,
    @Query({ schema: historyQuery }) query: HistoryQuery,
  ): Promise<{ history: Omit<HistoryEntry, 'id'>[]; next?: string }> {
    if (!(await this.machines.exists(id))) throw new NotFoundException(`no machine ${id}`);
    const rows = await this.machines.history(id, query.limit, query.after);
    const history = rows.map(({ id: _id, ...entry }) => entry);
    return { history, ...nextPage(rows, query.limit, (r) => r.id) };
  }

  private async respond(id: string, work: () => Promise<ChangeResult | null>): Promise<unknown> {
    try {
      const result = await work();
      if (!result) throw new NotFoundException(`no machine ${id}`);
      return asJson(result.row);
    } catch (err) {
      if (err instanceof MachineRefusedError) throw new ConflictException(err.message);
      if (err instanceof CatalogReferenceError) throw InvalidInputError.of(err.field, 'body', err.message);
      throw err;
    }
  }
}
