import type { BundledLayer, BundledRecipe } from '@muster/recipes';

/** What one build step applies on top of what it starts from (a full recipe or a layer). */
export interface Customization {
  install: string[];
  remove: string[];
  users: BundledRecipe['users'];
  files: BundledRecipe['files'];
  overlays: BundledRecipe['overlays'];
  hostname?: string;
  services: BundledRecipe['services'];
  scripts: BundledRecipe['scripts'];
}

/** Everything a single-step build applies. */
export function wholeRecipe(r: BundledLayer): Customization {
  return {
    install: r.packages.install,
    remove: r.packages.remove,
    users: r.users,
    files: r.files,
    overlays: r.overlays,
    ...(r.hostname === undefined ? {} : { hostname: r.hostname }),
    services: r.services,
    scripts: r.scripts,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What the layers above the base add to it: the merged recipe minus the base. Lists the base
 * starts (overlays, scripts) are prefixes of the merged ones; files and users the upper layers
 * replace count as theirs.
 */
export function layerOnTop(merged: BundledRecipe, base: BundledLayer): Customization {
  const notIn = <T>(list: T[], baseList: T[]) => list.filter((x) => !baseList.some((b) => same(b, x)));
  return {
    install: notIn(merged.packages.install, base.packages.install),
    remove: notIn(merged.packages.remove, base.packages.remove),
    users: notIn(merged.users, base.users),
    files: notIn(merged.files, base.files),
    overlays: merged.overlays.slice(base.overlays.length),
    ...(merged.hostname !== undefined && merged.hostname !== base.hostname
      ? { hostname: merged.hostname }
      : {}),
    services: {
      enable: notIn(merged.services.enable, base.services.enable),
      disable: notIn(merged.services.disable, base.services.disable),
    },
    scripts: merged.scripts.slice(base.scripts.length),
  };
}
