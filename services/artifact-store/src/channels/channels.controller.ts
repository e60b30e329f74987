import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { OwnAuthentication } from '@muster/runtime';
import { safeName } from '../delivery/delivery.schemas.js';
import { ReleasesRepository } from '../releases/releases.repository.js';

@Controller('v1/channels')
export class ChannelsController {
  constructor(@Inject(ReleasesRepository) private readonly releases: ReleasesRepository) {}

  /** Every channel of every image and architecture, with the release it points at. */
  @Get()
  async list(): Promise<{ channels: Awaited<ReturnType<ReleasesRepository['channels']>> }> {
    return { channels: await this.releases.channels() };
  }

  /** The signed document of the release a channel points at. */
  @Get(':channel/:image/:architecture')
  @OwnAuthentication('none: release documents are signed and clients verify them against keys they trust')
  async document(
    @Param('channel', { schema: safeName }) channel: string,
    @Param('image', { schema: safeName }) image: string,
    @Param('architecture', { schema: safeName }) architecture: string,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const releaseId = await this.releases.channelRelease(channel, image, architecture);
    const document = releaseId ? await this.releases.document(releaseId) : undefined;
    if (!releaseId || !document)
      throw new NotFoundException(`channel ${channel} has no release of ${image} for ${architecture}`);
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('etag', `"${document.sha256}"`);
    res.setHeader('muster-release-id', releaseId);
    res.end(document.body);
  }
}
