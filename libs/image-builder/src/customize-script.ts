import { createHash } from 'node:crypto';
import type { Customization } from './customization.js';
import { shQuote } from './tool-runner.js';

export interface StagedScript {
  /** The sh script mmdebstrap runs as a customize hook, with the root directory as $1. */
  script: string;
  /** Files the script reads from `<stage>/blobs/`, by name (SHA-256 of their bytes). */
  blobs: Map<string, Buffer>;
}

export interface FinishingTouches {
  /** The recipe's own apt source: the image points at it however the build got its packages. */
  sourcesList: string;
  /** /etc/fstab of an image with a disk layout. */
  fstab?: string;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The customize hook for one build step: packages removed, users, files, overlays, hostname,
 * services, scripts — in that order — then, on the last step, the apt source and fstab, and
 * finally the record of every .deb installed and every package in the image. Everything that
 * touches the image runs through `chroot`, so a path in the recipe can never leave the root.
 */
export function customizeScript(
  c: Customization,
  stageDir: string,
  blob: (sha256: string) => Buffer,
  /** Where the script writes what was installed (a directory writable from the namespace). */
  metaDir: string,
  finish: FinishingTouches | undefined,
  sourceDateEpoch: number,
): StagedScript {
  const blobs = new Map<string, Buffer>();
  const stageBlob = (bytes: Buffer) => {
    const name = sha(bytes);
    blobs.set(name, bytes);
    return name;
  };
  const fromRecipe = (name: string) => {
    blobs.set(name, blob(name));
    return name;
  };
  const q = shQuote;
  const lines: string[] = [
    'set -eu',
    'root="$1"',
    `stage=${q(stageDir)}`,
    `export SOURCE_DATE_EPOCH=${sourceDateEpoch} DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8`,
    'in_root() { chroot "$root" "$@"; }',
    // put BLOB MODE OWNER PATH: writes a file inside the root, parents created.
    'put() {',
    '  in_root mkdir -p -- "$(dirname -- "$4")"',
    '  in_root sh -c \'cat > "$1"\' put "$4" < "$stage/blobs/$1"',
    '  in_root chmod "$2" -- "$4"',
    '  in_root chown "$3:" -- "$4"',
    '}',
    'step() { echo "muster: $*"; }',
  ];
  if (c.remove.length > 0) {
    lines.push(`step removing packages ${q(c.remove.join(' '))}`);
    lines.push(`in_root apt-get -y purge ${c.remove.map(q).join(' ')}`);
  }
  for (const u of c.users) {
    lines.push(`step user ${q(u.name)}`);
    const groups = u.groups.length > 0 ? `--groups ${q(u.groups.join(','))}` : '';
    lines.push(
      `if in_root id -u ${q(u.name)} >/dev/null 2>&1; then in_root usermod --shell ${q(u.shell)} ${groups} ${q(u.name)};` +
        ` else in_root useradd --create-home --shell ${q(u.shell)} ${groups} ${q(u.name)}; fi`,
    );
    if (u.sshAuthorizedKeys.length > 0) {
      const keys = stageBlob(Buffer.from(`${u.sshAuthorizedKeys.join('\n')}\n`));
      lines.push(`home=$(in_root getent passwd ${q(u.name)} | cut -d: -f6)`);
      lines.push(`in_root install -d -m 0700 -o ${q(u.name)} -g ${q(u.name)} "$home/.ssh"`);
      lines.push(`put ${keys} 0600 ${q(u.name)} "$home/.ssh/authorized_keys"`);
    }
  }
  for (const f of c.files) {
    const name = f.blob ? fromRecipe(f.blob) : stageBlob(Buffer.from(f.content ?? ''));
    lines.push(`step file ${q(f.path)}`, `put ${name} ${q(f.mode)} ${q(f.owner)} ${q(f.path)}`);
  }
  c.overlays.forEach((o, i) => {
    lines.push(`step overlay ${i + 1} '(${o.files.length} files)'`);
    for (const f of o.files) lines.push(`put ${fromRecipe(f.blob)} ${q(f.mode)} root ${q(`/${f.path}`)}`);
  });
  if (c.hostname !== undefined) {
    const h = q(c.hostname);
    lines.push(`step hostname ${h}`, `printf '%s\\n' ${h} | in_root sh -c 'cat > /etc/hostname'`);
    lines.push(`printf '127.0.1.1\\t%s\\n' ${h} | in_root sh -c 'cat >> /etc/hosts'`);
  }
  for (const s of c.services.enable) lines.push(`step enable ${q(s)}`, `in_root systemctl enable ${q(s)}`);
  for (const s of c.services.disable) lines.push(`step disable ${q(s)}`, `in_root systemctl disable ${q(s)}`);
  for (const s of c.scripts) {
    const name = s.blob ? fromRecipe(s.blob) : stageBlob(Buffer.from(s.run ?? ''));
    lines.push(
      `step script ${q(s.name)}`,
      `in_root sh -c 'cat > /tmp/muster-script' < "$stage/blobs/${name}"`,
      'in_root sh -e /tmp/muster-script',
      'in_root rm -f /tmp/muster-script',
    );
  }
  if (finish) {
    const sources = stageBlob(Buffer.from(finish.sourcesList));
    lines.push('step apt source', `put ${sources} 0644 root /etc/apt/sources.list`);
    lines.push('in_root rm -f /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources');
    // mmdebstrap keeps apt options (the build's proxy) there: the image must not depend on the build.
    lines.push('in_root rm -f /etc/apt/apt.conf.d/99mmdebstrap');
    if (finish.fstab !== undefined) {
      lines.push('step fstab', `put ${stageBlob(Buffer.from(finish.fstab))} 0644 root /etc/fstab`);
      lines.push('in_root mkdir -p /boot/efi /var/lib/muster');
    }
  }
  {
    lines.push(
      'step recording packages',
      `meta=${q(metaDir)}`,
      `dpkg-query --admindir="$root/var/lib/dpkg" -W -f='\${Package}\\t\${Version}\\t\${Architecture}\\t\${source:Package}\\t\${source:Version}\\n' > "$meta/installed.tsv"`,
      'mkdir -p "$meta/debs"',
      'for d in "$root"/var/cache/apt/archives/*.deb; do [ -e "$d" ] || continue; cp "$d" "$meta/debs/";' +
        ` dpkg-deb --show --showformat='\${Package}:\${Architecture}=\${Version}\\n' "$d"; done | sed 's/:all=/=/' > "$meta/debs.list"`,
      'APT_CONFIG="$MMDEBSTRAP_APT_CONFIG" xargs -r apt-cache show < "$meta/debs.list" > "$meta/stanzas"',
    );
  }
  return { script: `${lines.join('\n')}\n`, blobs };
}
