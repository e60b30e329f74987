import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { siteCacheService } from './service.entry.js';

await runService(siteCacheService, process.env);
