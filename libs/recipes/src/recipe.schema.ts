import { z } from 'zod';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a slug: lower-case letters, digits and -');
const packageName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$/, 'a Debian package name, optionally =version');
const absolutePath = z
  .string()
  .regex(/^\/[^\0]*$/, 'an absolute path in the image')
  .refine((p) => !p.split('/').includes('..'), 'no .. in a path');
const relativeSource = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/'), 'a path relative to the recipe file');

/** Debian suites (tested here) and Ubuntu suites (need a mirror that serves them). */
export const DEBIAN_SUITES = ['bookworm', 'trixie'] as const;
export const UBUNTU_SUITES = ['jammy', 'noble'] as const;

export const OUTPUTS = ['squashfs', 'netboot', 'disk', 'tarball'] as const;

const file = z
  .object({
    path: absolutePath,
    source: relativeSource.optional(),
    content: z
      .string()
      .max(1 << 20)
      .optional(),
    mode: z
      .string()
      .regex(/^0?[0-7]{3,4}$/, 'an octal mode such as 0644')
      .default('0644'),
    owner: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]*$/)
      .default('root'),
  })
  .strict()
  .refine((f) => (f.source === undefined) !== (f.content === undefined), 'exactly one of source and content');

const user = z
  .object({
    name: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a user name'),
    groups: z.array(z.string().regex(/^[a-z_][a-z0-9_-]*$/)).default([]),
    shell: absolutePath.default('/bin/bash'),
    sshAuthorizedKeys: z
      .array(
        z
          .string()
          .regex(/^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)|sk-\S+) \S+/, 'an SSH public key'),
      )
      .default([]),
  })
  .strict();

const script = z
  .object({
    name: slug,
    run: z.string().min(1).optional(),
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
    packages: z
      .object({ install: z.array(packageName).default([]), remove: z.array(packageName).default([]) })
      .strict()
      .optional(),
    files: z.array(file).optional(),
    overlays: z.array(relativeSource).optional(),
    users: z.array(user).optional(),
    hostname: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a host name')
      .optional(),
    services: z
      .object({
        enable: z.array(z.string().min(1)).default([]),
        disable: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    scripts: z.array(script).optional(),
    kernel: z
      .object({ package: packageName.optional(), cmdline: z.string().max(4096).optional() })
      .strict()
      .optional(),
    outputs: z.array(z.enum(OUTPUTS)).min(1).optional(),
  })
  .strict();

export type RecipeFile = z.infer<typeof recipeFileSchema>;
