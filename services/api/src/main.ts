import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { apiService } from './service.entry.js';

await runService(apiService, process.env);
