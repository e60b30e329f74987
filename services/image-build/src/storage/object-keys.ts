/** Where a build's outputs and documents live in the build-output bucket. */
export const buildObjectKey = (buildId: string, fileName: string): string => `builds/${buildId}/${fileName}`;

export const PROVENANCE_FILE = 'provenance.json';
export const SBOM_FILE = 'sbom.cdx.json';

/** A kept .deb, by the SHA-256 of its bytes: every build that installed it shares the one object. */
export const packageObjectKey = (sha256: string): string =>
  `packages/sha256/${sha256.slice(0, 2)}/${sha256}.deb`;
