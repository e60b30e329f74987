export { buildDiskImage } from './disk-image.js';
export type { DiskImageInput } from './disk-input.js';
export { PARTITION_NAME, PARTITION_TYPE, type DiskLayout, type DiskPartition } from './disk-layout.js';
export { DiskImageInputError, MissingToolError, ToolFailedError } from './disk-errors.js';
