export { syncFile } from './sync-file.js';
export {
  SyncError,
  type SeedChunker,
  type SyncErrorReason,
  type SyncOptions,
  type SyncProgress,
  type SyncReport,
  type SyncSeed,
  type SyncSource,
  type SyncWarning,
} from './sync-types.js';
