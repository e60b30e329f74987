// A simulator process of `npm run bench -- agents`: one process holds at most what its file
// descriptor limit allows (20,000 here), so run.ts spreads the agents over several of these.
import { create } from '@bufbuild/protobuf';
import WebSocket from 'ws';
import { agentKeyFromSeed } from '@muster/agent-client';
import { HardwareIdentitySchema } from '@muster/contracts';
import { inPool } from '../../test/agents/simulator/pool.js';
import { SimAgent } from '../../test/agents/simulator/sim-agent.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const send = (m: FromWorker) => process.send?.(m);
let agents: SimAgent[] = [];
let peers: WebSocket[] = [];
let measuring = false;
let latencies: number[] = [];
const beatStarted = new Map<string, number>();
let openedAtMeasure = 0;

const opened = () => agents.reduce((n, a) => n + (a.connectionStats?.opened ?? 0), 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startAgents(m: Extract<ToWorker, { type: 'agents' }>): Promise<void> {
  const t = performance.now();
  agents = await Promise.all(
    m.agents.map((a, i) =>
      SimAgent.fromCredentials({
        key: agentKeyFromSeed(Buffer.from(a.seed, 'base64')),
        credentials: {
          agentId: a.agentId,
          machineId: a.machineId,
          siteId: a.siteId,
          credential: a.credential,
          credentialExpiresAt: new Date(Date.now() + 86_400_000),
          commandKeys: [],
        },
        identity: create(HardwareIdentitySchema, { macs: ['52:54:00:00:00:01'] }),
        localAddress: m.sources[i % m.sources.length]!,
        hooks: {
          onReport: (agent, seq, kind) => {
            if (measuring && kind === 'heartbeat')
              beatStarted.set(`${agent.agentId}/${seq}`, performance.now());
          },
          onSettled: (agent, outcome) => {
            const key = `${agent.agentId}/${outcome.seq}`;
            const started = beatStarted.get(key);
            if (started === undefined) return;
            beatStarted.delete(key);
            latencies.push(performance.now() - started);
          },
        },
      }),
    ),
  );
  // A bounded number of handshakes at once: thousands of simultaneous SYNs overflow the
  // gateway's accept queue, time out and come back as a retry storm, which measures the kernel.
  const deadline = Date.now() + 300_000;
  try {
    await inPool(agents, m.connectConcurrency, async (agent) => {
      if (Date.now() > deadline) throw new Error('connect deadline passed');
      agent.connect({ urls: [m.gatewayUrl], firstUrl: 0, heartbeatMs: m.heartbeatMs });
      await agent.session.welcome();
    });
  } catch (err) {
    send({
      type: 'failed',
      error: `${(err as Error).message}: ${agents.filter((a) => !a.session.isWelcomed).length} agents not welcomed`,
    });
    return;
  }
  send({ type: 'connected', count: agents.length, seconds: (performance.now() - t) / 1000 });
}

async function startPeers(m: Extract<ToWorker, { type: 'peer' }>): Promise<void> {
  const t = performance.now();
  const perTick = Math.max(1, Math.round(m.rampPerSecond / 10));
  const openings: Promise<void>[] = [];
  for (let i = 0; i < m.count; i += perTick) {
    for (let j = i; j < Math.min(m.count, i + perTick); j++) {
      const ws = new WebSocket(m.url, {
        localAddress: m.sources[j % m.sources.length]!,
        perMessageDeflate: false,
      });
      peers.push(ws);
      openings.push(
        new Promise((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        }),
      );
    }
    await sleep(100);
  }
  try {
    await Promise.all(openings);
    send({ type: 'connected', count: peers.length, seconds: (performance.now() - t) / 1000 });
  } catch (err) {
    send({ type: 'failed', error: (err as Error).message });
  }
}

process.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'agents':
      void startAgents(m).catch((err: unknown) => send({ type: 'failed', error: String(err) }));
      return;
    case 'peer':
      void startPeers(m);
      return;
    case 'measure':
      measuring = true;
      latencies = [];
      beatStarted.clear();
      openedAtMeasure = opened();
      return;
    case 'report':
      send({
        type: 'report',
        latencies,
        welcomed:
          agents.filter((a) => a.session.isWelcomed).length + peers.filter((p) => p.readyState === 1).length,
        reconnects: opened() - openedAtMeasure,
        unacknowledged: [...beatStarted.values()].filter((t) => performance.now() - t > 5_000).length,
      });
      return;
    case 'stop':
      void (async () => {
        measuring = false;
        for (let i = 0; i < agents.length; i += 500)
          await Promise.all(agents.slice(i, i + 500).map((a) => a.stop()));
        for (const p of peers) p.terminate();
        agents = [];
        peers = [];
        send({ type: 'stopped' });
        process.exit(0);
      })();
      return;
  }
});
