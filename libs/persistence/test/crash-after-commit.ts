// Child process for outbox.test.ts: commits five events with their row and is killed before
// any relay could publish them.
import 'reflect-metadata';
import { contracts } from '@muster/contracts';
import { Outbox } from '../src/index.js';
import { heartbeat, openTestDatabase } from './persistence-fixture.js';

const env = process.env as Record<string, string>;
const ds = await openTestDatabase(env.PG_URL!, env.SCHEMA!);
const outbox = new Outbox('/muster/test');
const params = { siteId: env.SITE!, agentId: env.AGENT! };
await ds.transaction(async (m) => {
  await m.query(`INSERT INTO widget (name) VALUES ('before the crash')`);
  for (let i = 1; i <= 5; i++)
    await outbox.add(m, contracts.agentStatus, params, heartbeat(params.agentId, i));
});
process.kill(process.pid, 'SIGKILL');
