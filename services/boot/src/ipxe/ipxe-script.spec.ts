import { describe, expect, it } from 'vitest';
import { discoveryScript, ipxeScriptFor } from './ipxe-script.js';

const e = { publicUrl: 'http://boot.example:8085' };
const known = { machineId: '0b8a7f1e-4c1d-4a53-9d0e-3c2f7a1b9e10', siteId: 'branch-1', revision: '3' };

describe('ipxeScriptFor', () => {
  it('sends an unknown machine to discovery, from the configured base URL', () => {
    const s = ipxeScriptFor(undefined, e);
    expect(s.startsWith('#!ipxe\n')).toBe(true);
    expect(s).toContain('chain --autofree http://boot.example:8085/v1/boot/discovery.ipxe || goto retry');
    expect(s).toContain('chain --autofree http://boot.example:8085/v1/boot/ipxe?mac=${net0/mac}');
  });

  it('boots a deployed machine from its disk and keeps an unassigned one waiting', () => {
    expect(ipxeScriptFor({ ...known, state: 'DEPLOYED' }, e)).toContain('sanboot');
    const waiting = ipxeScriptFor({ ...known, state: 'DISCOVERED' }, e);
    expect(waiting).toContain('waiting for an assignment');
    expect(waiting).not.toContain('sanboot');
  });

  it('names no machine or site, whatever the state', () => {
    for (const state of ['DISCOVERED', 'ASSIGNED', 'DEPLOYED', 'RETIRED']) {
      const s = ipxeScriptFor({ ...known, state }, e);
      expect(s).not.toContain(known.machineId);
      expect(s).not.toContain(known.siteId);
    }
  });
});

describe('discoveryScript', () => {
  it('asks again for the machine script', () => {
    expect(discoveryScript(e)).toContain(
      'chain --autofree http://boot.example:8085/v1/boot/ipxe?mac=${net0/mac}',
    );
  });
});
