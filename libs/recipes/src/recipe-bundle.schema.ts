import { z } from 'zod';
import { recipeFileSchema } from './recipe.schema.js';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256, lower-case hex');
const base = recipeFileSchema.shape;
const relativePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0'), 'a relative path');

/**
 * A resolved recipe as it travels (CLI → image-build): no paths of the operator's machine, every
 * file it copies named by the SHA-256 of its bytes. Its canonical JSON's SHA-256 is the recipe
 * digest.
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
    packages: z.object({ install: z.array(z.string()), remove: z.array(z.string()) }).strict(),
    files: z
      .array(
        z
          .object({
            path: z.string(),
            mode: z.string(),
            owner: z.string(),
            content: z.string().optional(),
            blob: sha256.optional(),
          })
          .strict(),
      )
      .max(4096),
    overlays: z
      .array(
        z
          .object({
            files: z
              .array(
                z
                  .object({ path: relativePath, mode: z.string().regex(/^0?[0-7]{3,4}$/), blob: sha256 })
                  .strict(),
              )
              .max(65536),
          })
          .strict(),
      )
      .max(64),
    users: z.array(
      z
        .object({
          name: z.string(),
          groups: z.array(z.string()),
          shell: z.string(),
          sshAuthorizedKeys: z.array(z.string()),
        })
        .strict(),
    ),
    hostname: z.string().optional(),
    services: z.object({ enable: z.array(z.string()), disable: z.array(z.string()) }).strict(),
    scripts: z.array(
      z.object({ name: z.string(), run: z.string().optional(), blob: sha256.optional() }).strict(),
    ),
    kernel: z.object({ package: z.string(), cmdline: z.string() }).strict(),
    outputs: base.outputs.unwrap(),
    /** Build from the package set kept by this earlier build: no mirror is contacted. */
    packageSet: z.uuid().optional(),
  })
  .strict();

/**
 * With `base`, the resolved base layer of an `extends:` chain alone: image-build makes (or takes
 * from its cache) the base root filesystem, then adds what the layers above it add.
 */
export const bundledRecipeSchema = layerRecipeSchema.extend({ base: layerRecipeSchema.optional() }).strict();

export type BundledRecipe = z.infer<typeof bundledRecipeSchema>;
export type BundledLayer = z.infer<typeof layerRecipeSchema>;

export const recipeBundleSchema = z
  .object({
    format: z.literal('muster.recipe-bundle.v1'),
    recipe: bundledRecipeSchema,
    /** Base64 of each blob's bytes, by SHA-256. */
    blobs: z.record(sha256, z.base64()),
  })
  .strict();

export type RecipeBundle = z.infer<typeof recipeBundleSchema>;
