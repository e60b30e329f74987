import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { HardwareIdentitySchema, type HardwareIdentity } from '@muster/contracts';

/** A distinct, valid hardware identity for simulated machine `index` of run `run`. */
export function simIdentity(run: string, index: number): HardwareIdentity {
  const h = createHash('sha256').update(`${run}/${index}`).digest('hex');
  const mac = `52:54:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}`;
  return create(HardwareIdentitySchema, {
    smbiosUuid: `${h.slice(8, 16)}-${h.slice(16, 20)}-4${h.slice(21, 24)}-8${h.slice(25, 28)}-${h.slice(28, 40)}`,
    serial: `SIM-${run}-${index}`.slice(0, 128),
    macs: [mac],
  });
}
