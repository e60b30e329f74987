import { startServiceProcess, type ServiceProcess } from './service-process.js';
import type { StackPlan } from './stack-plan.js';

const MAX_RESTARTS_PER_MINUTE = 5;

/**
 * Runs the services as child processes and restarts one that dies, at most a few times a
 * minute; past that it reports the service as failed and leaves it down.
 */
export class ServiceSupervisor {
  private readonly running = new Map<string, ServiceProcess>();
  private readonly restarts = new Map<string, number[]>();
  private stopping = false;

  constructor(
    private readonly plan: StackPlan,
    private readonly envFor: (service: StackPlan['services'][number]) => Record<string, string>,
    private readonly say: (line: string) => void,
  ) {}

  get processes(): ReadonlyMap<string, ServiceProcess> {
    return this.running;
  }

  async startAll(timeoutMs: number): Promise<{ name: string; ok: boolean; detail: string }[]> {
    for (const service of this.plan.services) this.start(service);
    return Promise.all(
      this.plan.services.map(async (service) => {
        const p = this.running.get(service.name)!;
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

  async stopAll(timeoutMs = 15_000): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running.values()].map((p) => p.stop('SIGTERM', timeoutMs)));
  }

  private start(service: StackPlan['services'][number]): void {
    const p = startServiceProcess(service.name, service.port, this.envFor(service), this.plan.logDir, {
      ownProcessGroup: true,
    });
    this.running.set(service.name, p);
    void p.exited.then(({ code, signal }) => {
      if (this.stopping || this.running.get(service.name) !== p) return;
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
      setTimeout(() => {
        if (!this.stopping) this.start(service);
      }, 1_000);
    });
  }
}
