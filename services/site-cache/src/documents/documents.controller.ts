import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { OwnAuthentication } from '@muster/runtime';
import { z } from 'zod';
import { answerFor } from '../http/origin-errors.js';
import { releaseIdValue, safeName } from '../http/params.js';
import { DocumentSource, type DocumentAnswer } from './document-source.js';

const releaseParam = z.object({ releaseId: releaseIdValue }).strict();
const channelParams = z.object({ channel: safeName, image: safeName, architecture: safeName }).strict();

function send(res: ServerResponse, answer: DocumentAnswer): void {
  res.writeHead(answer.status, {
    'content-type': answer.contentType,
    'cache-control': 'no-cache',
    ...(answer.stale ? { 'muster-cache': 'stale; the origin is unavailable' } : {}),
  });
  res.end(answer.body);
}

/** Signed release documents, passed through; the last good copy while the origin is down. */
@Controller('v1')
@OwnAuthentication('none: release documents are signed, and machines verify them')
export class DocumentsController {
  constructor(@Inject(DocumentSource) private readonly documents: DocumentSource) {}

  @Get('releases/:releaseId/document')
  async release(
    @Param({ schema: releaseParam }) params: z.infer<typeof releaseParam>,
    @Res() res: ServerResponse,
  ): Promise<void> {
    try {
      send(res, await this.documents.release(params.releaseId));
    } catch (error) {
      throw answerFor(error);
    }
  }

  @Get('channels/:channel/:image/:architecture')
  async channel(
    @Param({ schema: channelParams }) params: z.infer<typeof channelParams>,
    @Res() res: ServerResponse,
  ): Promise<void> {
    try {
      send(res, await this.documents.channel(params.channel, params.image, params.architecture));
    } catch (error) {
      throw answerFor(error);
    }
  }
}
