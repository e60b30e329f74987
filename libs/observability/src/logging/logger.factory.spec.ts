import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTelemetry, type Telemetry } from '../telemetry/telemetry.bootstrap.js';
import { createLogger } from './logger.factory.js';
import { NestPinoLogger } from './nest-pino.logger.js';

function memoryLogger(level: 'info' | 'trace' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'inventory',
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = startTelemetry({
      serviceName: 'inventory',
      exporter: new InMemorySpanExporter(),
      instrumentHttp: false,
    });
  });
  afterAll(() => telemetry.shutdown());

  it('writes JSON lines carrying the service, level label and time', () => {
    const { logger, lines } = memoryLogger();
    logger.info({ machineId: 'm1' }, 'discovered');
    expect(lines).toEqual([
      expect.objectContaining({ service: 'inventory', level: 'info', machineId: 'm1', msg: 'discovered' }),
    ]);
    expect(lines[0]?.['time']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('adds trace_id and span_id of the active span', () => {
    const { logger, lines } = memoryLogger();
    const tracer = trace.getTracer('test');
    const ids = tracer.startActiveSpan('work', (span) => {
      logger.info('inside');
      span.end();
      return span.spanContext();
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});

describe('NestPinoLogger', () => {
  it("maps Nest's arguments to structured fields", () => {
    const { logger, lines } = memoryLogger('trace');
    const nest = new NestPinoLogger(logger);
    nest.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    nest.error('request failed', 'Error: x\n    at handler (/app/a.js:1:2)', 'ExceptionsHandler');
    nest.warn({ event: 'slow' }, 'Jobs');
    nest.verbose('details');
    nest.error(new Error('boom'));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'Mapped {/healthz, GET} route',
        context: 'RouterExplorer',
      }),
      expect.objectContaining({
        level: 'error',
        msg: 'request failed',
        context: 'ExceptionsHandler',
        stack: 'Error: x\n    at handler (/app/a.js:1:2)',
      }),
      expect.objectContaining({ level: 'warn', event: 'slow', context: 'Jobs' }),
      expect.objectContaining({ level: 'trace', msg: 'details' }),
      expect.objectContaining({ level: 'error', msg: 'boom' }),
    ]);
    expect(lines[4]?.['err']).toMatchObject({ type: 'Error', message: 'boom' });
    expect(lines.every((l) => l['service'] === 'inventory')).toBe(true);
  });

  it('applies the most verbose of the levels Nest asks for', () => {
    const { logger, lines } = memoryLogger();
    const nest = new NestPinoLogger(logger);
    nest.setLogLevels(['error', 'warn']);
    nest.log('hidden');
    nest.warn('shown');
    expect(lines.map((l) => l['msg'])).toEqual(['shown']);
  });
});
