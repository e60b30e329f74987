import { toJson } from '@bufbuild/protobuf';
import { Body, Controller, Get, HttpCode, HttpException, Inject, Post } from '@nestjs/common';
import { EnrollRequestSchema, EnrollResponseSchema, RenewCredentialRequestSchema } from '@muster/contracts';
import { OwnAuthentication } from '@muster/runtime';
import type { z } from 'zod';
import { EnrollmentService } from './enrollment.service.js';
import { jsonObject, protoJsonBody } from './proto-json-body.js';

/** The agent's own routes (proto/muster/agent/v1/enrollment.proto), in protobuf JSON. */
@Controller('v1/agent')
export class EnrollmentController {
  constructor(@Inject(EnrollmentService) private readonly enrollment: EnrollmentService) {}

  @Post('enroll')
  @OwnAuthentication('a one-time bootstrap token and a signature by the agent key')
  async enroll(@Body({ schema: jsonObject }) body: z.infer<typeof jsonObject>): Promise<unknown> {
    const response = await this.enrollment.enroll(protoJsonBody(EnrollRequestSchema, body));
    return toJson(EnrollResponseSchema, response);
  }

  @Post('credential/renew')
  @HttpCode(200)
  @OwnAuthentication('the current agent credential and a signature by the agent key')
  async renew(@Body({ schema: jsonObject }) body: z.infer<typeof jsonObject>): Promise<unknown> {
    const response = await this.enrollment.renew(protoJsonBody(RenewCredentialRequestSchema, body));
    return toJson(EnrollResponseSchema, response);
  }

  /** The WebSocket is served on the upgrade; a plain GET is told so. */
  @Get('connect')
  @OwnAuthentication('the agent credential and a signature by the agent key (X-Muster-Proof)')
  connect(): never {
    throw new HttpException('GET /v1/agent/connect is a WebSocket: send Upgrade: websocket', 426);
  }
}
