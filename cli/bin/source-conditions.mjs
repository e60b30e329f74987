// A module resolution hook: workspace packages resolve to their TypeScript sources (the
// `@muster/source` export condition), as the repository's scripts get with --conditions.
export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, '@muster/source'] });
}
