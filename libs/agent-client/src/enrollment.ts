import { create, fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { trustedKeyFromBytes, type TrustedKey } from '@muster/command-signing';
import {
  EnrollRequestSchema,
  EnrollResponseSchema,
  RenewCredentialRequestSchema,
  validate,
  type EnrollResponse,
  type HardwareIdentity,
} from '@muster/contracts';
import { generateAgentKey, type AgentKey } from './agent-key.js';
import { postJson } from './http-json.js';
import { enrollProof, renewProof } from './proofs.js';

export const ENROLL_PATH = '/v1/agent/enroll';
export const RENEW_PATH = '/v1/agent/credential/renew';

/** What an enrolled agent holds: who it is, its credential and the command keys it trusts. */
export interface AgentCredentials {
  readonly agentId: string;
  readonly machineId: string;
  readonly siteId: string;
  readonly credential: string;
  readonly credentialExpiresAt: Date;
  readonly commandKeys: readonly TrustedKey[];
}

/** The gateway said no: the HTTP status and its problem+json detail. */
export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`agent-gateway refused (HTTP ${status}): ${detail}`);
  }
}

export interface EnrollOptions {
  /** The agent's key; a new one is generated when absent. */
  readonly key?: AgentKey;
  readonly hostname?: string;
  readonly agentVersion: string;
  readonly localAddress?: string;
}

/** Enrolls with a bootstrap token: the first contact of a freshly installed agent. */
export async function enroll(
  baseUrl: string,
  bootstrapToken: string,
  identity: HardwareIdentity,
  options: EnrollOptions,
): Promise<{ key: AgentKey; credentials: AgentCredentials }> {
  const key = options.key ?? generateAgentKey();
  const request = validate(
    EnrollRequestSchema,
    create(EnrollRequestSchema, {
      bootstrapToken,
      publicKey: key.publicKey,
      proof: enrollProof(key, bootstrapToken),
      identity,
      hostname: options.hostname ?? '',
      agentVersion: options.agentVersion,
    }),
  );
  const response = await post(
    baseUrl,
    ENROLL_PATH,
    toJson(EnrollRequestSchema, request),
    options.localAddress,
  );
  return { key, credentials: credentialsFrom(response) };
}

/** Renews the credential before it expires (the same key signs it again). */
export async function renew(
  baseUrl: string,
  credential: string,
  key: AgentKey,
  options: { localAddress?: string } = {},
): Promise<AgentCredentials> {
  const request = validate(
    RenewCredentialRequestSchema,
    create(RenewCredentialRequestSchema, { credential, proof: renewProof(key, credential) }),
  );
  return credentialsFrom(
    await post(baseUrl, RENEW_PATH, toJson(RenewCredentialRequestSchema, request), options.localAddress),
  );
}

async function post(
  baseUrl: string,
  path: string,
  body: JsonValue,
  localAddress: string | undefined,
): Promise<EnrollResponse> {
  const res = await postJson(
    `${baseUrl.replace(/\/$/, '')}${path}`,
    body,
    localAddress ? { localAddress } : {},
  );
  if (res.status < 200 || res.status > 299) throw new EnrollmentError(res.status, problemDetail(res.body));
  return validate(
    EnrollResponseSchema,
    fromJson(EnrollResponseSchema, res.body as JsonValue, { ignoreUnknownFields: true }),
  );
}

function credentialsFrom(response: EnrollResponse): AgentCredentials {
  return {
    agentId: response.agentId,
    machineId: response.machineId,
    siteId: response.siteId,
    credential: response.credential,
    credentialExpiresAt: timestampDate(response.credentialExpiresAt!),
    commandKeys: Object.entries(response.commandKeys).map(([id, raw]) => trustedKeyFromBytes(id, raw)),
  };
}

function problemDetail(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const p = body as { detail?: unknown; title?: unknown };
    if (typeof p.detail === 'string') return p.detail;
    if (typeof p.title === 'string') return p.title;
  }
  return typeof body === 'string' && body.length > 0 ? body.slice(0, 500) : 'no detail';
}
