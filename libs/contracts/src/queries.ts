import { defineQuery } from './contract.js';
import {
  BindAgentRequestSchema,
  BindAgentResponseSchema,
  GetMachineRequestSchema,
  GetMachineResponseSchema,
} from './gen/index.js';

/** Request/reply queries on core NATS: `muster.query.<name>`. No stream captures them. */
export const queries = {
  getMachine: defineQuery({
    name: 'inventory.machine.get.v1',
    subject: 'muster.query.inventory.machine.get.v1',
    request: GetMachineRequestSchema,
    response: GetMachineResponseSchema,
  }),
  bindAgent: defineQuery({
    name: 'inventory.agent.bind.v1',
    subject: 'muster.query.inventory.agent.bind.v1',
    request: BindAgentRequestSchema,
    response: BindAgentResponseSchema,
  }),
} as const;

export type QueryKey = keyof typeof queries;
