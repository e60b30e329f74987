/** What every launcher takes. */
export interface ServerOptions {
  /**
   * The server's own directory (data + `<server>.log`). Created when missing; never deleted
   * by the launcher — the caller owns it (startTestServers removes its temporary root).
   */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free port (bind to port 0) when omitted. */
  port?: number;
  /**
   * For the local stack: durable settings, and whatever the data dir already holds is reused
   * (initialisation is skipped when it was done before). Test mode (the default) trades
   * durability for speed. Either way an initialised data dir is never initialised again.
   */
  persistent?: boolean;
  /** How long to wait until the server answers; default 30 s (S3: 90 s). */
  startTimeoutMs?: number;
  /** How long a graceful stop may take before SIGKILL; default 10 s. */
  stopTimeoutMs?: number;
}

/** What every launcher returns, besides its endpoint fields. */
export interface ServerHandle {
  /** Graceful stop (SIGTERM, or the server's own fast-shutdown signal; SIGKILL after a timeout). Idempotent. */
  stop(): Promise<void>;
  /** The pids of its processes (all of them run in the foreground, each its own process group). */
  readonly pids: readonly number[];
  readonly dataDir: string;
}
