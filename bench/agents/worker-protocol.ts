import type { SeededAgent } from './seed-agents.js';

/** What run.ts tells a simulator worker. */
export type ToWorker =
  | {
      type: 'agents';
      gatewayUrl: string;
      agents: SeededAgent[];
      sources: string[];
      heartbeatMs: number;
      /** Handshakes in progress at once. */
      connectConcurrency: number;
    }
  | { type: 'peer'; url: string; count: number; sources: string[]; rampPerSecond: number }
  | { type: 'measure' }
  | { type: 'report' }
  | { type: 'stop' };

/** What a worker answers. */
export type FromWorker =
  | { type: 'connected'; count: number; seconds: number }
  | { type: 'failed'; error: string }
  | {
      type: 'report';
      /** Heartbeat acknowledgement times (ms) since the last `measure`. */
      latencies: number[];
      welcomed: number;
      /** Connections opened beyond the first, per agent, since the last `measure`. */
      reconnects: number;
      /** Heartbeats sent since `measure`, more than 5 s ago, still not acknowledged. */
      unacknowledged: number;
    }
  | { type: 'stopped' };
