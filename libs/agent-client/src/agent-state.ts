import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutboxEntry } from './outbox.js';

/**
 * What an agent must remember across restarts: the last seq it used (a seq is never reused, or
 * the gateway would take a new report for a resend of an old one), the reports not yet
 * acknowledged, and the commands it already ran (until they expire).
 */
export interface AgentState {
  readonly seq: bigint;
  readonly pending: readonly OutboxEntry[];
  /** command_id → its expires_at in ms since the epoch. */
  readonly ranCommands: Readonly<Record<string, number>>;
}

export const EMPTY_STATE: AgentState = { seq: 0n, pending: [], ranCommands: {} };

/** Where the state lives: a file on a real agent, memory in the simulator. */
export interface AgentStateStore {
  load(): Promise<AgentState>;
  save(state: AgentState): Promise<void>;
}

export class MemoryStateStore implements AgentStateStore {
  private state: AgentState = EMPTY_STATE;
  load(): Promise<AgentState> {
    return Promise.resolve(this.state);
  }
  save(state: AgentState): Promise<void> {
    this.state = state;
    return Promise.resolve();
  }
}

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

interface StateFile {
  version: 1;
  seq: string;
  pending: { seq: string; frame: string }[];
  ranCommands: Record<string, number>;
}

/**
 * A JSON file replaced atomically (write a sibling, fsync, rename): a crash leaves the old state
 * or the new one, never half of one. A missing file is a fresh agent; a corrupt one is an error
 * the operator must see — starting from seq 0 would make the gateway discard new reports.
 */
export class FileStateStore implements AgentStateStore {
  constructor(readonly path: string) {}

  async load(): Promise<AgentState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_STATE;
      throw err;
    }
    try {
      const file = JSON.parse(text) as StateFile;
      if (file.version !== 1) throw new Error(`unknown version ${String(file.version)}`);
      return {
        seq: BigInt(file.seq),
        pending: file.pending.map((p) => ({
          seq: BigInt(p.seq),
          frame: new Uint8Array(Buffer.from(p.frame, 'base64')),
        })),
        ranCommands: { ...file.ranCommands },
      };
    } catch (err) {
      throw new StateFileError(`agent state ${this.path} is unreadable: ${(err as Error).message}`);
    }
  }

  async save(state: AgentState): Promise<void> {
    const file: StateFile = {
      version: 1,
      seq: state.seq.toString(),
      pending: state.pending.map((p) => ({
        seq: p.seq.toString(),
        frame: Buffer.from(p.frame).toString('base64'),
      })),
      ranCommands: { ...state.ranCommands },
    };
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(file));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
  }
}
