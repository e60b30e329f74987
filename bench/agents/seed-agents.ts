import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { generateAgentKey, type AgentKey } from '@muster/agent-client';

/** An agent as the bench hands it to a simulator worker. */
export interface SeededAgent {
  readonly agentId: string;
  readonly machineId: string;
  readonly siteId: string;
  readonly credential: string;
  /** base64 of the 32-byte Ed25519 seed. */
  readonly seed: string;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

/**
 * Writes `count` enrolled agents straight into agent-gateway's tables, in the shape its
 * enrollment writes them (services/agent-gateway: AgentsRepository.insert and
 * CredentialsRepository.issue — an `agent` row with the public key and its fingerprint, an
 * `agent_credential` row holding the SHA-256 of the `mac_<id>_<secret>` credential's secret).
 * Enrolling tens of thousands over HTTP would take most of the bench's time budget; what the
 * bench measures — holding connections — starts after enrollment. A sample still enrolls over
 * the real route (see run.ts). Each agent gets a fresh key whose seed goes to the simulator.
 */
export async function seedAgents(
  databaseUrl: string,
  schema: string,
  siteId: string,
  count: number,
): Promise<SeededAgent[]> {
  const agents: (SeededAgent & { key: AgentKey; credentialId: string; secret: string })[] = [];
  for (let i = 0; i < count; i++) {
    const key = generateAgentKey();
    const credentialId = randomBytes(10).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    agents.push({
      agentId: `agt-bench-${randomBytes(6).toString('hex')}`,
      machineId: randomUUID(),
      siteId,
      credential: `mac_${credentialId}_${secret}`,
      seed: Buffer.from(key.seed).toString('base64'),
      key,
      credentialId,
      secret,
    });
  }
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    for (let i = 0; i < agents.length; i += 5_000) {
      const chunk = agents.slice(i, i + 5_000);
      await db.query('BEGIN');
      await db.query(
        `INSERT INTO ${schema}.agent (agent_id, site_id, machine_id, public_key, key_fingerprint, agent_version)
         SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::bytea[], $5::text[], $6::text[])`,
        [
          chunk.map((a) => a.agentId),
          chunk.map((a) => a.siteId),
          chunk.map((a) => a.machineId),
          chunk.map((a) => Buffer.from(a.key.publicKey)),
          chunk.map((a) => `sha256:${sha256(a.key.publicKey).toString('hex')}`),
          chunk.map(() => '0.0.0-sim'),
        ],
      );
      await db.query(
        `INSERT INTO ${schema}.agent_credential (credential_id, agent_id, secret_hash, expires_at)
         SELECT c, a, h, now() + interval '1 day' FROM unnest($1::text[], $2::text[], $3::bytea[]) AS t(c, a, h)`,
        [chunk.map((a) => a.credentialId), chunk.map((a) => a.agentId), chunk.map((a) => sha256(a.secret))],
      );
      await db.query('COMMIT');
    }
  } finally {
    await db.end();
  }
  return agents.map(({ agentId, machineId, siteId: site, credential, seed }) => ({
    agentId,
    machineId,
    siteId: site,
    credential,
    seed,
  }));
}
