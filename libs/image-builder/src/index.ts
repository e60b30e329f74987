export * from './build-image.types.js';
export { buildImage, BUILDER_VERSION, packageSetDigest } from './build-image.js';
export { checkFreeSpace } from './free-space.js';
export { removeWorkArea } from './work-area.js';
export { SQUASHFS_OPTIONS } from './outputs.js';
export { parseDeb822, packageRecordsFromStanzas, packagesIndex } from './package-records.js';
export * from './disk/index.js';
