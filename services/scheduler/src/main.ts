import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { schedulerService } from './service.entry.js';

await runService(schedulerService, process.env);
