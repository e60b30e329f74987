import { SetMetadata } from '@nestjs/common';

export const OWN_AUTHENTICATION = 'muster:own-authentication';

/**
 * Marks a route (or a controller) that does not take an operator's API token because it
 * authenticates its callers its own way — agents by their credential, the discovery
 * environment by its network, a bootstrap token. `how` says which, for the API document.
 */
export const OwnAuthentication = (how: string): MethodDecorator & ClassDecorator =>
  SetMetadata(OWN_AUTHENTICATION, how);
