import { describe, expect, it } from 'vitest';
import { ipxeScriptFor } from './ipxe-script.js';

const e = { publicUrl: 'http://boot.example:8085' };
const mac = '52:54:00:12:34:56';

describe('ipxeScriptFor', () => {
  it('sends an unknown machine to discovery', () => {
    const s = ipxeScriptFor(undefined, mac, e);
    expect(s.startsWith('#!ipxe\n')).toBe(true);
    expect(s).toContain('chain http://boot.example:8085/v1/boot/discovery.ipxe?mac=${net0/mac}');
  });

  it('boots a deployed machine from its disk and keeps an unassigned one waiting', () => {
    const known = { machineId: 'm1', siteId: 'branch-1', revision: '3' };
    expect(ipxeScriptFor({ ...known, state: 'DEPLOYED' }, mac, e)).toContain('sanboot');
    const waiting = ipxeScriptFor({ ...known, state: 'DISCOVERED' }, mac, e);
    expect(waiting).toContain('waiting for an assignment');
    expect(waiting).not.toContain('sanboot');
  });
});
