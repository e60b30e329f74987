import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { parseToken, tokenSecretMatches, TokenIssuer, TOKENS_STREAM } from '@muster/api-auth';
import { ensureStreams, type BusConnection } from '@muster/messaging';
import { z } from 'zod';

/** `.muster/operator.json`: where the CLI finds the local stack and its operator's token. */
const operatorFileSchema = z.object({ url: z.string(), token: z.string() });
export type OperatorFile = z.infer<typeof operatorFileSchema>;

async function readOperatorFile(file: string): Promise<OperatorFile | undefined> {
  try {
    const parsed = operatorFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** True while the bucket holds the token unrevoked and unexpired, with this very secret. */
async function stillValid(issuer: TokenIssuer, token: string, now: Date): Promise<boolean> {
  const parsed = parseToken(token);
  if (!parsed) return false;
  const found = await issuer.get(parsed.tokenId);
  if (!found || !tokenSecretMatches(parsed.secret, found.record.secretHash)) return false;
  const { revokedAt, expiresAt } = found.record;
  return revokedAt === null && (expiresAt === null || Date.parse(expiresAt) > now.getTime());
}

/**
 * The local operator's token: the one in `file` while it is still valid, else a new one
 * (`local-operator`, no expiry) written there with mode 0600, replacing the file atomically.
 */
export async function ensureOperatorFile(
  bus: BusConnection,
  file: string,
  url: string,
  now = new Date(),
): Promise<{ operator: OperatorFile; created: boolean }> {
  await ensureStreams(bus.jsm, [TOKENS_STREAM]);
  const issuer = new TokenIssuer(bus);
  const existing = await readOperatorFile(file);
  let created = false;
  let token = existing?.token;
  if (token === undefined || !(await stillValid(issuer, token, now))) {
    ({ token } = await issuer.create(
      { name: 'local-operator', createdBy: 'npm start', expiresAt: null },
      now,
    ));
    created = true;
  }
  const operator = { url, token };
  if (created || existing?.url !== url) {
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(operator, null, 2)}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
  }
  return { operator, created };
}
