import { z } from 'zod';

// The pieces below are shared by the recipe file (as written) and the recipe bundle (as it
// travels to image-build), so both refuse the same values.

export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a slug: lower-case letters, digits and -');
export const packageName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$/, 'a Debian package name, optionally =version');
export const absolutePath = z
  .string()
  .max(4096)
  .regex(/^\/[^\0]*$/, 'an absolute path in the image')
  .refine((p) => !p.split('/').includes('..'), 'no .. in a path');
const relativeSource = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/'), 'a path relative to the recipe file');
/** A file mode in octal: `644`, `0644`, `4755`. */
export const fileMode = z.string().regex(/^0?[0-7]{3,4}$/, 'an octal mode such as 0644');
/** A user or group name (file owners, users, their groups). */
export const accountName = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a user or group name');
export const sshPublicKey = z
  .string()
  .max(16384)
  .regex(/^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)|sk-\S+) \S+/, 'an SSH public key');
/** A systemd unit name: `cups`, `apt-daily.timer`, `getty@tty1.service`. */
export const unitName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:_.@\\-]{0,254}$/, 'a systemd unit name such as cups or apt-daily.timer');
export const hostname = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a host name');
/** Kernel parameters: both boot loaders' configs carry them, so no quotes, `$` or spaces inside one. */
export const kernelCmdline = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_.,:=/@+%~ -]*$/, 'kernel parameters of letters, digits and _ . , : = / @ + % ~ -')
  .refine(
    (c) => !c.split(' ').some((w) => /^root(fstype)?=/.test(w)),
    'no root= or rootfstype=: each boot entry names its slot',
  );
/** The most a file's `content:` may hold. */
export const MAX_CONTENT_BYTES = 1 << 20;
export const fileContent = z.string().max(MAX_CONTENT_BYTES);
export const scriptRun = z.string().min(1);

/** Debian suites (tested here) and Ubuntu suites (need a mirror that serves them). */
export const DEBIAN_SUITES = ['bookworm', 'trixie'] as const;
export const UBUNTU_SUITES = ['jammy', 'noble'] as const;

export const OUTPUTS = ['squashfs', 'netboot', 'disk', 'tarball'] as const;

const file = z
  .object({
    path: absolutePath,
    source: relativeSource.optional(),
    content: fileContent.optional(),
    mode: fileMode.default('0644'),
    owner: accountName.default('root'),
  })
  .strict()
  .refine((f) => (f.source === undefined) !== (f.content === undefined), 'exactly one of source and content');

const user = z
  .object({
    name: accountName,
    groups: z.array(accountName).default([]),
    shell: absolutePath.default('/bin/bash'),
    sshAuthorizedKeys: z.array(sshPublicKey).default([]),
  })
  .strict();

const script = z
  .object({
    name: slug,
    run: scriptRun.optional(),
    source: relativeSource.optional(),
  })
  .strict()
  .refine((s) => (s.run === undefined) !== (s.source === undefined), 'exactly one of run and source');

/**
 * One recipe file as written. Secrets (enrollment settings, passwords) have no key here on
 * purpose: they come at install or boot time, never baked into an image.
 */
export const recipeFileSchema = z
  .object({
    name: slug,
    version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+~-]{0,63}$/, 'a version such as 1.4.0'),
    description: z.string().max(1024).optional(),
    extends: relativeSource.optional(),
    suite: z.enum([...DEBIAN_SUITES, ...UBUNTU_SUITES]).optional(),
    architecture: z.enum(['amd64', 'arm64']).optional(),
    mirror: z.url({ protocol: /^https?$/ }).optional(),
    components: z
      .array(
        z.enum(['main', 'contrib', 'non-free', 'non-free-firmware', 'restricted', 'universe', 'multiverse']),
      )
      .min(1)
      .optional(),
    variant: z.enum(['minbase', 'apt', 'important', 'standard']).optional(),
    /** Build from the package set kept by this earlier build (its id): no mirror is contacted. */
    packageSet: z.uuid('a build id (a UUID)').optional(),
    packages: z
      .object({ install: z.array(packageName).default([]), remove: z.array(packageName).default([]) })
      .strict()
      .optional(),
    files: z.array(file).optional(),
    overlays: z.array(relativeSource).optional(),
    users: z.array(user).optional(),
    hostname: hostname.optional(),
    services: z
      .object({
        enable: z.array(unitName).default([]),
        disable: z.array(unitName).default([]),
      })
      .strict()
      .optional(),
    scripts: z.array(script).optional(),
    kernel: z
      .object({ package: packageName.optional(), cmdline: kernelCmdline.optional() })
      .strict()
      .optional(),
    outputs: z.array(z.enum(OUTPUTS)).min(1).optional(),
  })
  .strict();

export type RecipeFile = z.infer<typeof recipeFileSchema>;
