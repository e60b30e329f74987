import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { imageBuildService } from './service.entry.js';

await runService(imageBuildService, process.env);
