import { startServiceProcess, type ServiceProcess } from './service-process.js';
import type { StackPlan } from './stack-plan.js';

const MAX_RESTARTS_PER_MINUTE = 5;
const RESTART_DELAY_MS = 1_000;

type PlannedService = StackPlan['services'][number];

/** How the supervisor starts one instance of a service: in its own process group. */
export type LaunchService = (
  service: PlannedService,
  env: Record<string, string>,
  logDir: string,
) => ServiceProcess;

const launchService: LaunchService = (service, env, logDir) =>
  startServiceProcess(service.name, service.port, env, logDir, { ownProcessGroup: true });

/** What is still alive of a service after a stop: its process groups' live pids. */
export interface Survivor {
  name: string;
  pids: number[];
}

/**
 * Runs the services as child processes, each in its own process group, and restarts one that
 * dies, at most a few times a minute; past that it reports the service as failed and leaves it
 * down. Every instance is tracked until its group is empty, so a stop also reaches what a
 * crashed instance left behind, and a service that is starting or about to restart.
 */
export class ServiceSupervisor {
  private readonly current = new Map<string, ServiceProcess>();
  /** Every instance whose process group may still hold a live process. */
  private readonly instances = new Set<ServiceProcess>();
  private readonly restarts = new Map<string, number[]>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private stopping = false;

  constructor(
    private readonly plan: StackPlan,
    private readonly envFor: (service: PlannedService) => Record<string, string>,
    private readonly say: (line: string) => void,
    private readonly launch: LaunchService = launchService,
  ) {}

  /** The current instance of each service. */
  get processes(): ReadonlyMap<string, ServiceProcess> {
    return this.current;
  }

  async startAll(timeoutMs: number): Promise<{ name: string; ok: boolean; detail: string }[]> {
    for (const service of this.plan.services) this.start(service);
    return Promise.all(
      this.plan.services.map(async (service) => {
        const p = this.current.get(service.name)!;
        try {
          await p.waitReady(timeoutMs);
          return { name: service.name, ok: true, detail: p.url };
        } catch (err) {
          return {
            name: service.name,
            ok: false,
            detail: (err as Error).message.split('\n')[0]! + ` (log: ${p.logFile})`,
          };
        }
      }),
    );
  }

  /**
   * Stops every instance's whole process group (SIGTERM, SIGKILL after `timeoutMs`), whether it
   * is running, still starting, or crashed and waiting to be restarted (the restart is
   * cancelled). Resolves with what is still alive afterwards: normally nothing.
   */
  async stopAll(timeoutMs = 15_000): Promise<Survivor[]> {
    this.stopping = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    this.restartTimers.clear();
    await Promise.all([...this.instances].map((p) => p.stop('SIGTERM', timeoutMs)));
    return this.survivors();
  }

  /** The live processes of every tracked instance's group, by service. */
  async survivors(): Promise<Survivor[]> {
    const byName = new Map<string, number[]>();
    for (const p of this.instances) {
      const pids = await p.remaining();
      if (pids.length > 0) byName.set(p.name, [...(byName.get(p.name) ?? []), ...pids]);
    }
    return [...byName].map(([name, pids]) => ({ name, pids }));
  }

  private start(service: PlannedService): void {
    const p = this.launch(service, this.envFor(service), this.plan.logDir);
    this.current.set(service.name, p);
    this.instances.add(p);
    void p.exited.then(async ({ code, signal }) => {
      if (this.stopping) return;
      // Whatever the dead instance started may still run in its group (and hold its port): stop
      // that before the restart, and forget the instance once its group is empty.
      const left = await p.stop('SIGTERM', 5_000).then(() => p.remaining());
      if (left.length === 0) this.instances.delete(p);
      if (this.stopping || this.current.get(service.name) !== p) return;
      this.restartLater(service, p, code, signal);
    });
  }

  private restartLater(
    service: PlannedService,
    p: ServiceProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    const now = Date.now();
    const recent = (this.restarts.get(service.name) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= MAX_RESTARTS_PER_MINUTE) {
      this.say(
        `✗ ${service.name} exited (${signal ?? `code ${code}`}) ${recent.length} times in a minute: left down; see ${p.logFile}`,
      );
      return;
    }
    this.restarts.set(service.name, [...recent, now]);
    this.say(`! ${service.name} exited (${signal ?? `code ${code}`}); restarting (log: ${p.logFile})`);
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (!this.stopping) this.start(service);
    }, RESTART_DELAY_MS);
    this.restartTimers.add(timer);
  }
}
