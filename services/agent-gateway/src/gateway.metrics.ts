import { Inject, Injectable } from '@nestjs/common';
import { Metrics } from '@muster/observability';

/** Everything agent-gateway counts, on /metrics. */
@Injectable()
export class GatewayMetrics {
  readonly connections;
  readonly connectRefused;
  readonly frames;
  readonly framesRefused;
  readonly disconnects;
  readonly reports;
  readonly commands;
  readonly enrollments;

  constructor(@Inject(Metrics) metrics: Metrics) {
    this.connections = metrics.gauge({
      name: 'muster_gateway_connections',
      help: 'Agent connections held by this instance',
    });
    this.connectRefused = metrics.counter({
      name: 'muster_gateway_connect_refused_total',
      help: 'Connection attempts refused before the WebSocket upgrade, by reason',
      labelNames: ['reason'],
    });
    this.frames = metrics.counter({
      name: 'muster_gateway_frames_total',
      help: 'Frames received from agents, by kind',
      labelNames: ['kind'],
    });
    this.framesRefused = metrics.counter({
      name: 'muster_gateway_frames_refused_total',
      help: 'Agent frames refused: malformed, invalid, other-agent, rate, oversized',
      labelNames: ['reason'],
    });
    this.disconnects = metrics.counter({
      name: 'muster_gateway_disconnects_total',
      help: 'Agent connections ended, by reason (the Goodbye reason, or closed by the agent)',
      labelNames: ['reason'],
    });
    this.reports = metrics.counter({
      name: 'muster_gateway_reports_total',
      help: 'Agent reports acknowledged, by kind and whether they were stored or a duplicate',
      labelNames: ['kind', 'outcome'],
    });
    this.commands = metrics.counter({
      name: 'muster_gateway_commands_total',
      help: 'Agent commands by outcome: pending, refused, sent, delivered, expired',
      labelNames: ['outcome'],
    });
    this.enrollments = metrics.counter({
      name: 'muster_gateway_enrollments_total',
      help: 'Enrollments and renewals by outcome',
      labelNames: ['outcome'],
    });
  }
}
