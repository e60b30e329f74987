import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { discoveryService } from './service.entry.js';

await runService(discoveryService, process.env);
