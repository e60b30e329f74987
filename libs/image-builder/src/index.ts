export * from './build-image.types.js';
