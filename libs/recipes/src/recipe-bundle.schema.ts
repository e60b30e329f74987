import { z } from 'zod';
import {
  absolutePath,
  accountName,
  fileContent,
  fileMode,
  hostname,
  kernelCmdline,
  packageName,
  recipeFileSchema,
  scriptRun,
  slug,
  sshPublicKey,
  unitName,
} from './recipe.schema.js';

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256, lower-case hex');
/** A mode as a bundle spells it: four octal digits, so `644` and `0644` digest the same. */
export const bundleMode = fileMode.length(4, 'four octal digits, such as 0644');
const base = recipeFileSchema.shape;
const relativePath = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.split('/').some((s) => s === '..' || s === '.' || s === '') &&
      !p.includes('\0'),
    'a relative path without ., .. or empty segments',
  );
const exactlyOne = (a: unknown, b: unknown) => (a === undefined) !== (b === undefined);

/**
 * A resolved recipe as it travels (CLI → image-build): no paths of the operator's machine, every
 * file it copies named by the SHA-256 of its bytes. Its canonical JSON's SHA-256 is the recipe
 * digest (`bundleDigest`).
 */
const layerRecipeSchema = z
  .object({
    name: base.name,
    version: base.version,
    layers: z
      .array(z.object({ name: base.name, version: base.version }).strict())
      .min(1)
      .max(16),
    suite: base.suite.unwrap(),
    architecture: base.architecture.unwrap(),
    mirror: base.mirror.unwrap(),
    components: base.components.unwrap(),
    variant: base.variant.unwrap(),
    packages: z.object({ install: z.array(packageName), remove: z.array(packageName) }).strict(),
    files: z
      .array(
        z
          .object({
            path: absolutePath,
            mode: bundleMode,
            owner: accountName,
            content: fileContent.optional(),
            blob: sha256Hex.optional(),
          })
          .strict()
          .refine((f) => exactlyOne(f.content, f.blob), 'exactly one of content and blob'),
      )
      .max(4096),
    overlays: z
      .array(
        z
          .object({
            /** Regular files only, sorted by path; each root-owned, with its mode. */
            files: z
              .array(z.object({ path: relativePath, mode: bundleMode, blob: sha256Hex }).strict())
              .max(65536),
          })
          .strict(),
      )
      .max(64),
    users: z.array(
      z
        .object({
          name: accountName,
          groups: z.array(accountName),
          shell: absolutePath,
          sshAuthorizedKeys: z.array(sshPublicKey),
        })
        .strict(),
    ),
    hostname: hostname.optional(),
    services: z.object({ enable: z.array(unitName), disable: z.array(unitName) }).strict(),
    scripts: z.array(
      z
        .object({ name: slug, run: scriptRun.optional(), blob: sha256Hex.optional() })
        .strict()
        .refine((s) => exactlyOne(s.run, s.blob), 'exactly one of run and blob'),
    ),
    kernel: z.object({ package: packageName, cmdline: kernelCmdline }).strict(),
    outputs: base.outputs.unwrap(),
    /** Build from the package set kept by this earlier build: no mirror is contacted. */
    packageSet: base.packageSet,
  })
  .strict();

/**
 * With `base`, the resolved base layer of an `extends:` chain alone: image-build makes (or takes
 * from its cache) the base root filesystem, then adds what the layers above it add.
 */
export const bundledRecipeSchema = layerRecipeSchema.extend({ base: layerRecipeSchema.optional() }).strict();

export type BundledRecipe = z.infer<typeof bundledRecipeSchema>;
export type BundledLayer = z.infer<typeof layerRecipeSchema>;

export const RECIPE_BUNDLE_FORMAT = 'muster.recipe-bundle.v1';

export const recipeBundleSchema = z
  .object({
    format: z.literal(RECIPE_BUNDLE_FORMAT),
    recipe: bundledRecipeSchema,
    /** Base64 of each blob's bytes, by SHA-256. */
    blobs: z.record(sha256Hex, z.base64()),
  })
  .strict();

export type RecipeBundle = z.infer<typeof recipeBundleSchema>;
