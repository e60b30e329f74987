import { createHash } from 'node:crypto';
import type { InstalledPackage, PackageRecord } from './build-image.types.js';

export interface SbomInput {
  imageName: string;
  imageVersion: string;
  suite: string;
  recipeDigest: string;
  sourceDateEpoch: number;
  builderVersion: string;
  installed: readonly InstalledPackage[];
  kept: readonly PackageRecord[];
}

function uuidFrom(hex: string): string {
  const h = hex.slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * A CycloneDX 1.5 SBOM of every package in the image with its version, architecture, source
 * and, where the build kept the .deb, its SHA-256. Deterministic: the same image gives the same
 * document (serial number and timestamp derive from the inputs).
 */
export function cycloneDxSbom(input: SbomInput): Record<string, unknown> {
  const debs = new Map(input.kept.map((k) => [`${k.name}:${k.architecture}=${k.version}`, k]));
  const components = input.installed.map((p) => {
    const purl = `pkg:deb/debian/${encodeURIComponent(p.name)}@${encodeURIComponent(p.version)}?arch=${p.architecture}&distro=debian-${input.suite}`;
    const deb = debs.get(`${p.name}:${p.architecture}=${p.version}`);
    return {
      type: 'library',
      'bom-ref': purl,
      name: p.name,
      version: p.version,
      purl,
      ...(deb ? { hashes: [{ alg: 'SHA-256', content: deb.sha256 }] } : {}),
      properties: [
        { name: 'debian:architecture', value: p.architecture },
        { name: 'debian:source', value: `${p.source} ${p.sourceVersion}` },
      ],
    };
  });
  const serial = createHash('sha256')
    .update(`${input.recipeDigest}\0${components.map((c) => c.purl).join('\n')}`)
    .digest('hex');
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${uuidFrom(serial)}`,
    version: 1,
    metadata: {
      timestamp: new Date(input.sourceDateEpoch * 1000).toISOString(),
      tools: {
        components: [{ type: 'application', name: 'muster-image-builder', version: input.builderVersion }],
      },
      component: {
        type: 'operating-system',
        'bom-ref': `muster-image:${input.imageName}@${input.imageVersion}`,
        name: input.imageName,
        version: input.imageVersion,
        properties: [{ name: 'muster:recipe-digest', value: input.recipeDigest }],
      },
    },
    components,
  };
}
