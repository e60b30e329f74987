import type { InstalledPackage, PackageRecord } from './build-image.types.js';

/** Splits deb822 text (a Packages file, `apt-cache show` output) into stanzas of fields. */
export function parseDeb822(text: string): { fields: Map<string, string>; raw: string }[] {
  const out: { fields: Map<string, string>; raw: string }[] = [];
  for (const raw of text.split(/\n\s*\n/)) {
    const trimmed = raw.replace(/^\n+|\n+$/g, '');
    if (!trimmed) continue;
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of trimmed.split('\n')) {
      if (/^[ \t]/.test(line) && last) fields.set(last, `${fields.get(last)}\n${line}`);
      else {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        last = line.slice(0, colon);
        fields.set(last, line.slice(colon + 1).trim());
      }
    }
    out.push({ fields, raw: trimmed });
  }
  return out;
}

/** `Source: name (version)` or `Source: name`, defaulting to the binary package. */
function sourceOf(fields: Map<string, string>, name: string, version: string) {
  const src = fields.get('Source');
  if (!src) return { source: name, sourceVersion: version };
  const m = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(src);
  return { source: m?.[1] ?? name, sourceVersion: m?.[2] ?? version };
}

/** Package records from the archive's stanzas; one record per (name, architecture, version). */
export function packageRecordsFromStanzas(text: string): PackageRecord[] {
  const seen = new Map<string, PackageRecord>();
  for (const { fields, raw } of parseDeb822(text)) {
    // dpkg's record of an installed package (apt-cache shows it beside the archive's): no file.
    if (fields.has('Status')) continue;
    const name = fields.get('Package');
    const version = fields.get('Version');
    const architecture = fields.get('Architecture');
    const sha256 = fields.get('SHA256');
    const size = Number(fields.get('Size'));
    if (!name || !version || !architecture || !sha256 || !/^[0-9a-f]{64}$/.test(sha256) || !(size > 0)) {
      throw new Error(
        `a package stanza lacks Package, Version, Architecture, SHA256 or Size: ${raw.slice(0, 120)}`,
      );
    }
    seen.set(`${name}:${architecture}=${version}`, {
      name,
      version,
      architecture,
      ...sourceOf(fields, name, version),
      sha256,
      sizeBytes: size,
      stanza: raw,
    });
  }
  return [...seen.values()].sort(byIdentity);
}

/** `dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n'`. */
export function installedFromDpkgQuery(text: string): InstalledPackage[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [name = '', version = '', architecture = '', source = '', sourceVersion = ''] = line.split('\t');
      return { name, version, architecture, source: source || name, sourceVersion: sourceVersion || version };
    })
    .sort(byIdentity);
}

function byIdentity(a: { name: string; architecture: string }, b: { name: string; architecture: string }) {
  const x = `${a.name}:${a.architecture}`;
  const y = `${b.name}:${b.architecture}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The file name a kept .deb is stored under in a local repository. */
export function debFileName(record: PackageRecord): string {
  return `${record.name}_${record.version.replaceAll(':', '%3a')}_${record.architecture}.deb`;
}

/**
 * A flat repository index for kept packages: each stanza as the archive wrote it (so priorities
 * and sections are the archive's, which decide what minbase installs) with Filename pointing at
 * the local file.
 */
export function packagesIndex(records: readonly PackageRecord[]): string {
  return records
    .map((r) => {
      const lines = r.stanza.split('\n').filter((l) => !l.startsWith('Filename:'));
      const at = lines.findIndex((l) => l.startsWith('Size:'));
      lines.splice(at < 0 ? lines.length : at, 0, `Filename: ./${debFileName(r)}`);
      return lines.join('\n');
    })
    .join('\n\n')
    .concat('\n');
}
