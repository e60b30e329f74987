export {
  generateSigningKey,
  publicKeyBytes,
  SigningKeyError,
  signingKeyFromSeed,
  trustedKeyFromBytes,
  type SigningKey,
  type TrustedKey,
} from './signing-key.js';
export { keyRing, keyRingEntry, parseKeyRing, type KeyRing } from './key-ring.js';
export { CommandRefusedError, signCommand, verifyCommand, type CommandRefusal } from './command-signature.js';
export { keyRingSetting } from './key-ring-setting.js';
