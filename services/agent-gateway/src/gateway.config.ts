import { randomBytes } from 'node:crypto';
import { envVar, intValue } from '@muster/config';
import { keyRingSetting } from '@muster/command-signing';
import { z } from 'zod';

const instanceId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be 1–64 of A-Z a-z 0-9 _ - (it is a subject token)' });

const keyRingText = keyRingSetting.optional();

/** agent-gateway's own settings, beside the common ones. */
export function gatewayConfig() {
  return {
    /** This instance's name in the presence bucket and on its delivery subject; random when unset. */
    instanceId: envVar('MUSTER_GATEWAY_INSTANCE_ID', instanceId.optional()),
    /** Lifetime of an agent credential; the agent renews before it ends. Default 24 h. */
    credentialTtlSeconds: envVar(
      'MUSTER_GATEWAY_CREDENTIAL_TTL_SECONDS',
      intValue({ min: 1, max: 30 * 86400 }).default(86400),
    ),
    /** Heartbeat interval told to agents in Welcome. Default 30 s. */
    heartbeatIntervalSeconds: envVar(
      'MUSTER_GATEWAY_HEARTBEAT_INTERVAL_SECONDS',
      intValue({ min: 1, max: 3600 }).default(30),
    ),
    /** How often each instance refreshes its agents' presence keys (the bucket keeps a key 60 s). */
    presenceRefreshSeconds: envVar(
      'MUSTER_GATEWAY_PRESENCE_REFRESH_SECONDS',
      intValue({ min: 1, max: 20 }).default(20),
    ),
    /** Largest WebSocket frame an agent may send; a larger one closes the connection (1009). */
    maxFrameBytes: envVar(
      'MUSTER_GATEWAY_MAX_FRAME_BYTES',
      intValue({ min: 1024, max: 16 << 20 }).default(1 << 20),
    ),
    /** Frames per second an agent may send on average, and the burst above it. */
    frameRatePerSecond: envVar('MUSTER_GATEWAY_FRAME_RATE', intValue({ min: 1, max: 100_000 }).default(20)),
    frameBurst: envVar('MUSTER_GATEWAY_FRAME_BURST', intValue({ min: 1, max: 100_000 }).default(100)),
    /** Bytes waiting to be written to one agent before it counts as a slow consumer. */
    maxBufferedBytes: envVar(
      'MUSTER_GATEWAY_MAX_BUFFERED_BYTES',
      intValue({ min: 1024, max: 1 << 30 }).default(8 << 20),
    ),
    /** How often last-seen and last-seq are written to the agent table, in milliseconds. */
    flushIntervalMs: envVar(
      'MUSTER_GATEWAY_FLUSH_INTERVAL_MS',
      intValue({ min: 50, max: 60_000 }).default(3_000),
    ),
    /**
     * The command-signing key ring, `<keyId>:<base64 seed>[,…]`: the first key signs operators'
     * commands, every key is trusted for the commands the gateway forwards (the scheduler's
     * too) and sent to agents at enrollment. Required to issue or forward commands: without it
     * POST …/commands answers 503 and every command on the bus is refused and recorded.
     */
    commandSigningKeys: envVar('MUSTER_COMMAND_SIGNING_KEYS', keyRingText, { secret: true }),
  };
}

export type GatewaySettings = {
  instanceId: string;
  credentialTtlSeconds: number;
  heartbeatIntervalSeconds: number;
  presenceRefreshSeconds: number;
  maxFrameBytes: number;
  frameRatePerSecond: number;
  frameBurst: number;
  maxBufferedBytes: number;
  flushIntervalMs: number;
  commandSigningKeys: string | undefined;
};

export const GATEWAY_SETTINGS = Symbol('GATEWAY_SETTINGS');

/** An instance id when none is configured: unique enough among a handful of instances. */
export function randomInstanceId(): string {
  return `gw-${randomBytes(6).toString('hex')}`;
}
