import type { Command } from 'commander';
import { collectList, parseNonNegativeInt, parseWindow } from '../flags/flag-parsers.js';
import type { CliIo } from './context.js';
import { resourceCommands } from './resource-commands.js';

interface Site {
  siteId: string;
  name?: string;
  timeZone?: string;
  networks?: string[];
  bandwidthBudgetKbps?: number;
  cacheUrl?: string;
  maintenanceWindows?: { days: string[]; start: string; durationMinutes: number }[];
}

export function sitesCommand(io: CliIo): Command {
  return resourceCommands<Site>(
    io,
    {
      command: 'sites',
      noun: 'site',
      path: '/v1/sites',
      itemsKey: 'sites',
      idField: 'siteId',
      idOnCreate: 'argument',
      columns: [
        { header: 'SITE', value: (s) => s.siteId, max: 32 },
        { header: 'NAME', value: (s) => s.name, max: 32 },
        { header: 'TIME ZONE', value: (s) => s.timeZone, max: 24 },
        { header: 'NETWORKS', value: (s) => s.networks, max: 40 },
        { header: 'WINDOWS', value: (s) => s.maintenanceWindows?.length ?? 0 },
        { header: 'KBPS', value: (s) => s.bandwidthBudgetKbps },
        { header: 'CACHE', value: (s) => s.cacheUrl, max: 32 },
      ],
      fields: [
        { flags: '--name <name>', description: 'display name', path: 'name', attribute: 'name' },
        {
          flags: '--time-zone <zone>',
          description: 'IANA time zone (Europe/Paris)',
          path: 'timeZone',
          attribute: 'timeZone',
        },
        {
          flags: '--network <cidr>',
          description: 'a network of the site (repeatable or comma list); replaces the list',
          path: 'networks',
          attribute: 'network',
          parse: collectList,
        },
        {
          flags: '--window <DAYS@HH:MM+DURATION>',
          description:
            'a maintenance window in the site’s zone, e.g. sat,sun@02:00+4h (repeatable); replaces the list',
          path: 'maintenanceWindows',
          attribute: 'window',
          parse: parseWindow,
        },
        {
          flags: '--bandwidth-kbps <n>',
          description: 'bandwidth budget in kbit/s',
          path: 'bandwidthBudgetKbps',
          attribute: 'bandwidthKbps',
          parse: parseNonNegativeInt,
        },
        {
          flags: '--cache-url <url>',
          description: 'the site cache’s address',
          path: 'cacheUrl',
          attribute: 'cacheUrl',
        },
      ],
    },
    'sites: time zone, maintenance windows, networks, bandwidth budget, site cache',
  );
}
