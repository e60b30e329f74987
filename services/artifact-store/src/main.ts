import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { artifactStoreService } from './service.entry.js';

await runService(artifactStoreService, process.env);
