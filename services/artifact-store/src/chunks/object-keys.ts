/** Where a manifest's JSON lives in the artifact bucket. */
export function manifestObjectKey(sha256: string): string {
  return `manifests/sha256/${sha256.slice(0, 2)}/${sha256}.json`;
}
