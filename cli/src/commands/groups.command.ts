import type { Command } from 'commander';
import type { CliIo } from './context.js';
import { resourceCommands } from './resource-commands.js';

interface Group {
  groupId: string;
  name?: string;
  description?: string;
}

export function groupsCommand(io: CliIo): Command {
  return resourceCommands<Group>(
    io,
    {
      command: 'groups',
      noun: 'group',
      path: '/v1/groups',
      itemsKey: 'groups',
      idField: 'groupId',
      idOnCreate: 'argument',
      columns: [
        { header: 'GROUP', value: (g) => g.groupId, max: 32 },
        { header: 'NAME', value: (g) => g.name, max: 32 },
        { header: 'DESCRIPTION', value: (g) => g.description, max: 60 },
      ],
      fields: [
        { flags: '--name <name>', description: 'display name', path: 'name', attribute: 'name' },
        {
          flags: '--description <text>',
          description: 'what the group is for',
          path: 'description',
          attribute: 'description',
        },
      ],
    },
    'groups of machines',
  );
}
