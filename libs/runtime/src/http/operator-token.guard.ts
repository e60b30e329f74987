import {
  HttpException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BusConnection } from '@muster/messaging';
import { LOGGER, type Logger } from '@muster/observability';
import { OperatorTokens, setOperator, TokenStoreUnavailableError } from '@muster/api-auth';
import { OWN_AUTHENTICATION } from './own-authentication.decorator.js';
import { problemFor, problemTypes } from './problem.js';

/** The probes of every service, answered without a token (orchestrators and Prometheus call them). */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** The service's watched copy of the operator tokens, closed (last uses written) on shutdown. */
@Injectable()
export class OperatorAuth implements OnModuleDestroy {
  readonly tokens: OperatorTokens;

  constructor(@Inject(BusConnection) bus: BusConnection, @Inject(LOGGER) logger: Logger) {
    this.tokens = OperatorTokens.start(bus, { logger });
  }

  async onModuleDestroy(): Promise<void> {
    await this.tokens.close().catch(() => undefined);
  }
}

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
