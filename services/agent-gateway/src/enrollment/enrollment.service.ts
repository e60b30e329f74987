import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { KeyRing } from '@muster/command-signing';
import {
  BindAgentRequestSchema,
  EnrollResponseSchema,
  queries,
  type EnrollRequest,
  type EnrollResponse,
  type RenewCredentialRequest,
} from '@muster/contracts';
import { QueryClient } from '@muster/messaging';
import { LOGGER, type Logger } from '@muster/observability';
import { UnitOfWork } from '../unit-of-work.repository.js';
import { AgentsRepository } from '../agents/agents.repository.js';
import { COMMAND_KEY_RING } from '../commands/command-key-ring.js';
import { AgentSocketServer } from '../connections/agent-socket.server.js';
import { CredentialsRepository, type IssuedCredential } from '../credentials/credentials.repository.js';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config.js';
import { GatewayMetrics } from '../gateway.metrics.js';
import { BootstrapTokensRepository } from '../tokens/bootstrap-tokens.repository.js';
import { parseSecretToken } from '../tokens/secret-token.js';
import { proofVerifies } from './agent-proof.js';

/** A new agent's id: a slug, so it can be a subject token. */
export function newAgentId(): string {
  return `agt-${randomBytes(8).toString('hex')}`;
}

/**
 * Enrollment: a bootstrap token and a key proof in, an agent bound to its machine and a
 * credential out. The token is used only once inventory has bound the machine, in the same
 * transaction that stores the agent, so an enrollment that fails anywhere leaves it usable.
 */
@Injectable()
export class EnrollmentService {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(BootstrapTokensRepository) private readonly tokens: BootstrapTokensRepository,
    @Inject(AgentsRepository) private readonly agents: AgentsRepository,
    @Inject(CredentialsRepository) private readonly credentials: CredentialsRepository,
    @Inject(QueryClient) private readonly query: QueryClient,
    @Inject(AgentSocketServer) private readonly sockets: AgentSocketServer,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(COMMAND_KEY_RING) private readonly ring: KeyRing | undefined,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async enroll(request: EnrollRequest): Promise<EnrollResponse> {
    const token = parseSecretToken('mbt', request.bootstrapToken);
    if (!token) throw this.refuse(new UnauthorizedException('the bootstrap token is not valid'), 'bad-token');
    if (!proofVerifies(request.publicKey, request.proof, 'muster.agent.enroll.v1', request.bootstrapToken)) {
      throw this.refuse(new UnauthorizedException('proof does not verify with the public key'), 'bad-proof');
    }
    const checked = await this.tokens.check(token);
    if ('refused' in checked) {
      throw this.refuse(
        new UnauthorizedException(`the bootstrap token is ${tokenWording[checked.refused]}`),
        `token-${checked.refused}`,
      );
    }
    const agentId = newAgentId();
    let answer;
    try {
      answer = await this.query.request(
        queries.bindAgent,
        create(BindAgentRequestSchema, {
          agentId,
          siteId: checked.siteId,
          ...(request.identity ? { identity: request.identity } : {}),
          hostname: request.hostname,
        }),
      );
    } catch (err) {
      this.logger.warn({ err }, 'inventory did not bind an enrolling agent');
      throw this.refuse(
        new ServiceUnavailableException(
          'inventory did not answer; the bootstrap token was not used: try again',
        ),
        'inventory-unavailable',
      );
    }
    if (answer.result.case !== 'bound') {
      throw this.refuse(
        new ConflictException(`enrollment refused: ${answer.result.value ?? 'no reason'}`),
        'refused',
      );
    }
    const bound = answer.result.value;
    const outcome = await this.uow.run(async (manager) => {
      if (!(await this.tokens.claim(manager, token.id, agentId))) return undefined;
      await this.agents.insert(manager, {
        agentId,
        siteId: checked.siteId,
        machineId: bound.machineId,
        publicKey: request.publicKey,
        hostname: request.hostname,
        agentVersion: request.agentVersion,
      });
      const before = await this.agents.boundBefore(
        manager,
        bound.machineId,
        bound.previousAgentId || undefined,
        agentId,
      );
      const replaced = await this.agents.revoke(manager, before, `machine re-enrolled as ${agentId}`);
      const revokedCredentials = await this.credentials.revokeAllOf(manager, replaced);
      const credential = await this.credentials.issue(manager, agentId, this.settings.credentialTtlSeconds);
      return { credential, replaced, revokedCredentials };
    });
    if (!outcome)
      throw this.refuse(new UnauthorizedException('the bootstrap token is already used'), 'token-used');
    if (outcome.replaced.length > 0) {
      this.logger.info(
        { agentId, replaced: outcome.replaced },
        'machine re-enrolled; the old agents are revoked',
      );
      this.sockets.closeRevoked(outcome.replaced, outcome.revokedCredentials, true);
    }
    this.metrics.enrollments.inc({ outcome: 'enrolled' });
    return this.response(agentId, bound.machineId, checked.siteId, outcome.credential);
  }

  async renew(request: RenewCredentialRequest): Promise<EnrollResponse> {
    const found = await this.credentials.authenticate(request.credential);
    if ('refused' in found) {
      throw found.refused === 'revoked'
        ? this.refuse(new ForbiddenException('the credential was revoked: enroll again'), 'renew-revoked')
        : this.refuse(
            new UnauthorizedException(
              `the credential is ${found.refused === 'expired' ? 'expired: enroll again' : 'not valid'}`,
            ),
            `renew-${found.refused}`,
          );
    }
    if (!proofVerifies(found.publicKey, request.proof, 'muster.agent.renew.v1', request.credential)) {
      throw this.refuse(
        new UnauthorizedException('proof does not verify with the agent key'),
        'renew-bad-proof',
      );
    }
    const credential = await this.uow.run((manager) =>
      this.credentials.issue(manager, found.agentId, this.settings.credentialTtlSeconds),
    );
    this.metrics.enrollments.inc({ outcome: 'renewed' });
    return this.response(found.agentId, found.machineId, found.siteId, credential);
  }

  private response(
    agentId: string,
    machineId: string,
    siteId: string,
    credential: IssuedCredential,
  ): EnrollResponse {
    return create(EnrollResponseSchema, {
      agentId,
      machineId,
      siteId,
      credential: credential.credential,
      credentialExpiresAt: timestampFromDate(credential.expiresAt),
      commandKeys: this.ring?.publicKeys() ?? {},
    });
  }

  private refuse<E extends Error>(error: E, outcome: string): E {
    this.metrics.enrollments.inc({ outcome });
    return error;
  }
}

const tokenWording = {
  unknown: 'not valid',
  used: 'already used',
  expired: 'expired',
  revoked: 'revoked',
} as const;
