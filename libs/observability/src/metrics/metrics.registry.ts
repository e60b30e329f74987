import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  readonly service: string;
  /** Process and Node.js runtime metrics; default true. */
  readonly defaultMetrics?: boolean;
}

interface MetricConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/**
 * The process's Prometheus registry; every series carries the `service` label. Creating a
 * metric that already exists returns it, so modules may declare the metrics they share.
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(options: MetricsOptions) {
    this.registry.setDefaultLabels({ service: options.service });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  counter<L extends string = never>(config: MetricConfig<L>): Counter<L> {
    return this.existing(config.name, Counter) ?? new Counter<L>({ ...this.base(config) });
  }

  gauge<L extends string = never>(config: MetricConfig<L>): Gauge<L> {
    return this.existing(config.name, Gauge) ?? new Gauge<L>({ ...this.base(config) });
  }

  histogram<L extends string = never>(
    config: MetricConfig<L> & { readonly buckets?: readonly number[] },
  ): Histogram<L> {
    return (
      this.existing(config.name, Histogram) ??
      new Histogram<L>({ ...this.base(config), ...(config.buckets ? { buckets: [...config.buckets] } : {}) })
    );
  }

  private base<L extends string>(config: MetricConfig<L>) {
    return {
      name: config.name,
      help: config.help,
      labelNames: [...(config.labelNames ?? [])],
      registers: [this.registry],
    };
  }

  private existing<M>(name: string, kind: abstract new (...args: never[]) => M): M | undefined {
    const found = this.registry.getSingleMetric(name);
    if (found === undefined) return undefined;
    if (!(found instanceof kind)) throw new TypeError(`metric ${name} already exists as another type`);
    return found;
  }
}

export function createMetrics(options: MetricsOptions): Metrics {
  return new Metrics(options);
}
