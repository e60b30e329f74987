import type { Command } from 'commander';
import { parseJsonObject } from '../flags/flag-parsers.js';
import type { CliIo } from './context.js';
import { resourceCommands } from './resource-commands.js';

interface Profile {
  profileId: string;
  name?: string;
  releaseChannel?: string;
  configuration?: Record<string, unknown>;
}

export function profilesCommand(io: CliIo): Command {
  return resourceCommands<Profile>(
    io,
    {
      command: 'profiles',
      noun: 'profile',
      path: '/v1/profiles',
      itemsKey: 'profiles',
      idField: 'profileId',
      idOnCreate: 'argument',
      columns: [
        { header: 'PROFILE', value: (p) => p.profileId, max: 32 },
        { header: 'NAME', value: (p) => p.name, max: 32 },
        { header: 'CHANNEL', value: (p) => p.releaseChannel, max: 24 },
        {
          header: 'CONFIGURATION',
          value: (p) => (p.configuration ? JSON.stringify(p.configuration) : undefined),
          max: 50,
        },
      ],
      fields: [
        { flags: '--name <name>', description: 'display name', path: 'name', attribute: 'name' },
        {
          flags: '--release-channel <channel>',
          description: 'the image release channel machines of this profile follow',
          path: 'releaseChannel',
          attribute: 'releaseChannel',
        },
        {
          flags: '--configuration <json>',
          description: 'the configuration as a JSON object, or @file.json',
          path: 'configuration',
          attribute: 'configuration',
          parse: parseJsonObject,
        },
      ],
    },
    'profiles: the release channel and configuration a machine should run',
  );
}
