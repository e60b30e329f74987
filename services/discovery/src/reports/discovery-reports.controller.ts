import { Body, Controller, HttpCode, Inject, Ip, Post, Res } from '@nestjs/common';
import { HardwareFactsSchema, InvalidMessageError } from '@muster/contracts';
import { BodyLimit, InvalidInputError, OwnAuthentication } from '@muster/runtime';
import { InvalidIdentityError } from '../identity/hardware-identity.js';
import { discoveryReportSchema, type DiscoveryReport } from './discovery-report.schema.js';
import { DiscoveryReportsService } from './discovery-reports.service.js';
import { reportResponse, type ReportResponse } from './report-response.js';

interface StatusResponse {
  status(code: number): unknown;
}

@Controller('v1/discovery')
export class DiscoveryReportsController {
  constructor(@Inject(DiscoveryReportsService) private readonly reports: DiscoveryReportsService) {}

  /** 201 for a machine seen for the first time, 200 for a known one, 409 when held (see reportResponse). */
  @Post('reports')
  @OwnAuthentication(
    'the discovery environment of an unknown machine: no token; its site comes from the site networks, never from the report',
  )
  @HttpCode(200)
  // Hardware facts of a large server (many disks, NICs, DIMMs) stay well below this.
  @BodyLimit(256 * 1024)
  async receive(
    @Body({ schema: discoveryReportSchema }) report: DiscoveryReport,
    @Ip() ip: string,
    @Res({ passthrough: true }) res: StatusResponse,
  ): Promise<ReportResponse> {
    try {
      const outcome = await this.reports.receive(report, {
        source: clientAddress(ip),
        relayAddress: report.relayAddress,
      });
      const { status, body } = reportResponse(outcome);
      res.status(status);
      return body;
    } catch (err) {
      // A report's identity is its MACs (serial and UUID placeholders are dropped, not refused).
      if (err instanceof InvalidIdentityError) throw InvalidInputError.of('macs', 'body', err.message);
      if (err instanceof InvalidMessageError) {
        const field = err.schemaName === HardwareFactsSchema.typeName ? 'hardware' : 'body';
        throw InvalidInputError.of(field, 'body', err.message);
      }
      throw err;
    }
  }
}

/** Express reports IPv4 peers as `::ffff:a.b.c.d`; the event wants the plain address. */
function clientAddress(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
