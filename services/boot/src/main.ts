import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { bootService } from './service.entry.js';

await runService(bootService, process.env);
