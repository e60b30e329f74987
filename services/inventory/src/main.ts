import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { inventoryService } from './service.entry.js';

await runService(inventoryService, process.env);
