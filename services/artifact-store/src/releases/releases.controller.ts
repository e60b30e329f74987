import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Body,
  Controller,
  Get,
  GoneException,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { BodyLimit, encodeTimeCursor, nextPage, OwnAuthentication } from '@muster/runtime';
import { releaseIdParam, safeName } from '../delivery/delivery.schemas.js';
import { FileStreamer } from '../delivery/file-streamer.js';
import { DeltaPlanner, type DeltaPlan } from './delta-plan.repository.js';
import { ReleaseLifecycle } from './release-lifecycle.repository.js';
import {
  DELTA_PLAN_BODY_LIMIT,
  deltaPlanBody,
  listReleasesQuery,
  promoteBody,
  revokeBody,
  type DeltaPlanBody,
  type ListReleasesQuery,
  type PromoteBody,
  type RevokeBody,
} from './releases.schemas.js';
import { ReleasesRepository, type ReleaseDetail, type ReleaseSummary } from './releases.repository.js';

const SIGNED_DOCUMENTS = 'none: release documents are signed and clients verify them against keys they trust';

@Controller('v1/releases')
export class ReleasesController {
  constructor(
    @Inject(ReleasesRepository) private readonly releases: ReleasesRepository,
    @Inject(ReleaseLifecycle) private readonly lifecycle: ReleaseLifecycle,
    @Inject(DeltaPlanner) private readonly planner: DeltaPlanner,
    @Inject(FileStreamer) private readonly streamer: FileStreamer,
  ) {}

  /** Newest first; `next`, when present, is the `after` of the next page. */
  @Get()
  async list(
    @Query({ schema: listReleasesQuery }) query: ListReleasesQuery,
  ): Promise<{ releases: ReleaseSummary[]; next?: string }> {
    const page = await this.releases.list(query);
    return {
      releases: page.map((p) => p.row),
      ...nextPage(page, query.limit, (p) => encodeTimeCursor(p.cursor)),
    };
  }

  @Get(':id')
  async get(@Param('id', { schema: releaseIdParam }) id: string): Promise<ReleaseDetail> {
    const release = await this.releases.detail(id);
    if (!release) throw new NotFoundException(`no release ${id}`);
    return release;
  }

  /** The current signed release document; 410 once the release is revoked. */
  @Get(':id/document')
  @OwnAuthentication(SIGNED_DOCUMENTS)
  async document(
    @Param('id', { schema: releaseIdParam }) id: string,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const state = await this.releases.state(id);
    if (!state) throw new NotFoundException(`no release ${id}`);
    const document = state === 'published' ? await this.releases.document(id) : undefined;
    if (!document) throw new GoneException(`release ${id} is revoked`);
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('etag', `"${document.sha256}"`);
    res.end(document.body);
  }

  /** A release file rebuilt from its chunks, with `Range` support: for network boot. */
  @Get(':id/files/:name')
  @OwnAuthentication('none: the bytes are those a signed release names; the ETag is their SHA-256')
  async file(
    @Param('id', { schema: releaseIdParam }) id: string,
    @Param('name', { schema: safeName }) name: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const state = await this.releases.state(id);
    if (!state) throw new NotFoundException(`no release ${id}`);
    if (state === 'revoked') throw new GoneException(`release ${id} is revoked`);
    const file = (await this.releases.files(id)).find((f) => f.name === name);
    if (!file) throw new NotFoundException(`release ${id} has no file ${name}`);
    await this.streamer.send(file, req.headers.range, res);
  }

  /** The chunks and stored bytes a machine still needs, given its current release or the chunks it holds. */
  @Post(':id/delta-plan')
  @HttpCode(200)
  @BodyLimit(DELTA_PLAN_BODY_LIMIT)
  @OwnAuthentication('none: it tells only which content-addressed chunks a release uses')
  async deltaPlan(
    @Param('id', { schema: releaseIdParam }) id: string,
    @Body({ schema: deltaPlanBody }) body: DeltaPlanBody,
  ): Promise<DeltaPlan> {
    if (!(await this.releases.state(id))) throw new NotFoundException(`no release ${id}`);
    if ('fromRelease' in body && !(await this.releases.state(body.fromRelease)))
      throw new NotFoundException(`no release ${body.fromRelease}`);
    return this.planner.plan(id, body, body.includeIds ?? false);
  }

  @Post(':id/promote')
  @HttpCode(200)
  async promote(
    @Param('id', { schema: releaseIdParam }) id: string,
    @Body({ schema: promoteBody }) body: PromoteBody,
  ): Promise<{ releaseId: string; channel: string; previous: string | null }> {
    const { previous } = await this.lifecycle.promote(id, body.channel, body.rollbackFloor);
    return { releaseId: id, channel: body.channel, previous };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(
    @Param('id', { schema: releaseIdParam }) id: string,
    @Body({ schema: revokeBody }) body: RevokeBody,
  ): Promise<{ releaseId: string; state: 'revoked'; leftChannels: string[] }> {
    const { channels } = await this.lifecycle.revoke(id, body.reason);
    return { releaseId: id, state: 'revoked', leftChannels: channels };
  }
}
