import { SetMetadata } from '@nestjs/common';

export const BODY_LIMIT = Symbol('muster:body-limit');

/** The most bytes this route's JSON body may have; routes without it get MUSTER_HTTP_BODY_LIMIT_BYTES. */
export const BodyLimit = (bytes: number): MethodDecorator => SetMetadata(BODY_LIMIT, bytes);
