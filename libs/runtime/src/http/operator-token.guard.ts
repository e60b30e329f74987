import {
  Global,
  HttpException,
  Inject,
  Injectable,
  Module,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { setOperator, TokenStoreUnavailableError } from '@muster/api-auth';
import { OperatorAuth } from './operator-auth.js';
import { OWN_AUTHENTICATION } from './own-authentication.decorator.js';
import { PROBE_PATHS } from './probe-paths.js';
import { problemFor, problemTypes } from './problem.js';

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  route?: { path?: unknown };
}

/**
 * Every route takes an operator's API token, except those marked `@OwnAuthentication(how)` and
 * the probes. The operator goes on the request (`actorOf`); a refusal is a 401 problem whose
 * `reason` says why: missing, malformed, unknown, revoked or expired.
 */
@Injectable()
export class OperatorTokenGuard implements CanActivate {
  constructor(
    @Inject(OperatorAuth) private readonly auth: OperatorAuth,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const own = this.reflector.getAllAndOverride<string | undefined>(OWN_AUTHENTICATION, [
      context.getHandler(),
      context.getClass(),
    ]);
    const http = context.switchToHttp();
    const req = http.getRequest<GuardedRequest>();
    if (own !== undefined || (typeof req.route?.path === 'string' && PROBE_PATHS.has(req.route.path))) {
      return true;
    }
    const header = req.headers['authorization'];
    let result;
    try {
      result = await this.auth.tokens.authenticate(Array.isArray(header) ? header.join(',') : header);
    } catch (err) {
      if (!(err instanceof TokenStoreUnavailableError)) throw err;
      throw new HttpException(problemFor(503, { detail: err.message }), 503);
    }
    if (!result.ok) {
      http
        .getResponse<{ setHeader(name: string, value: string): void }>()
        .setHeader(
          'www-authenticate',
          result.reason === 'missing'
            ? 'Bearer realm="muster"'
            : 'Bearer realm="muster", error="invalid_token"',
        );
      throw new HttpException(
        {
          ...problemFor(401, { detail: result.detail, reason: result.reason }),
          type: problemTypes.unauthorized,
        },
        401,
      );
    }
    setOperator(req, result.operator);
    return true;
  }
}

/** The operator-token check of every service: global, so a feature may read the tokens too. */
@Global()
@Module({ providers: [OperatorAuth, OperatorTokenGuard], exports: [OperatorAuth, OperatorTokenGuard] })
export class OperatorAuthModule {}
