import {
  Body,
  ConflictException,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { MAX_BUNDLE_BYTES } from '@muster/recipes';
import { BodyLimit, encodeTimeCursor, InvalidInputError, nextPage } from '@muster/runtime';
import type { JobCounts } from '@muster/jobs';
import { BuildQueue } from './build-queue.provider.js';
import { BuildSubmission, BundleRejectedError } from './build-submission.service.js';
import {
  buildIdParam,
  listBuildsQuery,
  submitBuildBody,
  type BuildState,
  type ListBuildsQuery,
  type SubmitBuildBody,
} from './builds.schemas.js';
import {
  BuildsRepository,
  type BuildDetail,
  type BuildSummary,
  type PackageSummary,
} from './builds.repository.js';

/** A bundle carries its files' bytes (base64): up to what the CLI sends, and room for the rest of the body. */
export const SUBMIT_LIMIT_BYTES = MAX_BUNDLE_BYTES + 64 * 1024;

@Controller('v1/builds')
export class BuildsController {
  constructor(
    @Inject(BuildsRepository) private readonly builds: BuildsRepository,
    @Inject(BuildQueue) private readonly queue: BuildQueue,
    @Inject(BuildSubmission) private readonly submission: BuildSubmission,
  ) {}

  /** Newest first, with the queue's counts; `next`, when present, is the `after` of the next page. */
  @Get()
  async list(
    @Query({ schema: listBuildsQuery }) query: ListBuildsQuery,
  ): Promise<{ builds: BuildSummary[]; queue: JobCounts; next?: string }> {
    const [page, queue] = await Promise.all([this.builds.list(query), this.queue.counts()]);
    return {
      builds: page.map((p) => p.row),
      queue,
      ...nextPage(page, query.limit, (p) => encodeTimeCursor(p.cursor)),
    };
  }

  /** Queues a build of the bundled recipe; 400 naming the field when the bundle is wrong. */
  @Post()
  @HttpCode(202)
  @BodyLimit(SUBMIT_LIMIT_BYTES)
  async submit(
    @Body({ schema: submitBuildBody }) body: SubmitBuildBody,
  ): Promise<{ buildId: string; recipeDigest: string; state: 'queued' }> {
    try {
      return await this.submission.submit(body);
    } catch (err) {
      if (err instanceof BundleRejectedError) {
        throw new InvalidInputError(
          err.problems.map((p) => ({ name: p.name, in: 'body', reason: p.reason })),
        );
      }
      throw err;
    }
  }

  @Get(':id')
  async get(@Param('id', { schema: buildIdParam }) id: string): Promise<BuildDetail> {
    const build = await this.builds.detail(id);
    if (!build) throw new NotFoundException(`no build ${id}`);
    return build;
  }

  /** 202 with the state the cancel left (`cancelled` at once for a queued build); 409 once ended. */
  @Post(':id/cancel')
  @HttpCode(202)
  async cancel(@Param('id', { schema: buildIdParam }) id: string): Promise<{ state: BuildState }> {
    const outcome = await this.submission.cancel(id);
    if (outcome.kind === 'missing') throw new NotFoundException(`no build ${id}`);
    if (outcome.kind === 'terminal')
      throw new ConflictException(
        `build ${id} has already ${outcome.state === 'cancelled' ? 'been cancelled' : outcome.state}`,
      );
    return { state: outcome.state };
  }

  /** What the build was made from and how (muster.provenance.v1), once it succeeded. */
  @Get(':id/provenance')
  async provenance(@Param('id', { schema: buildIdParam }) id: string): Promise<Record<string, unknown>> {
    return this.document(id, 'provenance');
  }

  /** The image's software bill of materials (CycloneDX 1.5 JSON), once the build succeeded. */
  @Get(':id/sbom')
  @Header('content-type', 'application/vnd.cyclonedx+json')
  async sbom(@Param('id', { schema: buildIdParam }) id: string): Promise<Record<string, unknown>> {
    return this.document(id, 'sbom');
  }

  /** Every package the build installed, by name. */
  @Get(':id/packages')
  async packages(@Param('id', { schema: buildIdParam }) id: string): Promise<{ packages: PackageSummary[] }> {
    const packages = await this.builds.packages(id);
    if (!packages) throw new NotFoundException(`no build ${id}`);
    return { packages };
  }

  private async document(id: string, which: 'provenance' | 'sbom'): Promise<Record<string, unknown>> {
    const found = await this.builds.document(id, which);
    if (!found.exists) throw new NotFoundException(`no build ${id}`);
    if (!found.document)
      throw new NotFoundException(`build ${id} has no ${which}: only a build that succeeded has one`);
    return found.document;
  }
}
