import { type AgentKey, signWith } from './agent-key.js';

// The exact byte strings of proto/muster/agent/v1/enrollment.proto and protocol.proto: a domain
// name, 0x00, then the fields — so that a signature for one purpose is valid for no other.
const NUL = Buffer.from([0]);
const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** "muster.agent.enroll.v1" ‖ 0x00 ‖ the UTF-8 bootstrap token. */
export function enrollProofBytes(bootstrapToken: string): Uint8Array {
  return Buffer.concat([utf8('muster.agent.enroll.v1'), NUL, utf8(bootstrapToken)]);
}

/** "muster.agent.renew.v1" ‖ 0x00 ‖ the UTF-8 credential. */
export function renewProofBytes(credential: string): Uint8Array {
  return Buffer.concat([utf8('muster.agent.renew.v1'), NUL, utf8(credential)]);
}

/** "muster.agent.connect.v1" ‖ 0x00 ‖ "<unix seconds>" ‖ 0x00 ‖ the credential. */
export function connectProofBytes(unixSeconds: number, credential: string): Uint8Array {
  return Buffer.concat([
    utf8('muster.agent.connect.v1'),
    NUL,
    utf8(String(unixSeconds)),
    NUL,
    utf8(credential),
  ]);
}

export function enrollProof(key: AgentKey, bootstrapToken: string): Uint8Array {
  return signWith(key, enrollProofBytes(bootstrapToken));
}

export function renewProof(key: AgentKey, credential: string): Uint8Array {
  return signWith(key, renewProofBytes(credential));
}

/** The `X-Muster-Proof` header value: `<unix seconds>.<base64url signature>`. */
export function connectProofHeader(key: AgentKey, credential: string, now: Date = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000);
  const signature = signWith(key, connectProofBytes(seconds, credential));
  return `${seconds}.${Buffer.from(signature).toString('base64url')}`;
}
