import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { agentGatewayService } from './service.entry.js';

await runService(agentGatewayService, process.env);
