// A container's environment as the kubelet would give it: each value from the manifest, a
// ConfigMap of the rendering or a Secret (which the deployment creates, so the test supplies it).
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { K8sObject } from './deploy-tools.js';

type ConfigMapObject = K8sObject & { data?: Record<string, string> };

/**
 * `secrets` holds the value of each `<secret name>/<key>` the container refers to; a missing
 * one, or a missing ConfigMap key that is not optional, throws as the kubelet would refuse it.
 */
export function containerEnv(
  c: IContainer,
  rendered: readonly K8sObject[],
  secrets: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const cm = e.valueFrom?.configMapKeyRef;
    const secret = e.valueFrom?.secretKeyRef;
    if (cm) {
      const map: ConfigMapObject | undefined = rendered.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === cm.name,
      );
      const value = map?.data?.[cm.key];
      if (value !== undefined) env[e.name] = value;
      else if (!cm.optional) throw new Error(`${e.name}: no key ${cm.key} in ConfigMap ${cm.name}`);
    } else if (secret) {
      const value = secrets[`${secret.name}/${secret.key}`];
      if (value === undefined) throw new Error(`${e.name}: no Secret ${secret.name}/${secret.key} given`);
      env[e.name] = value;
    } else if (e.valueFrom) {
      throw new Error(`${e.name}: only ConfigMap and Secret references are resolved here`);
    } else {
      env[e.name] = e.value ?? '';
    }
  }
  return env;
}

/** A Kubernetes quantity in bytes (`120Gi`, `512Mi`, `1G`, `1000`). */
export function quantityBytes(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`not a quantity: ${quantity}`);
  const unit = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  }[match[2] ?? ''];
  return Number(match[1]) * (unit ?? 1);
}

/** A valid-looking nkey user seed: what the Secret `muster-nats-<service>` holds. */
export const TEST_NKEY_SEED = `SU${'A'.repeat(56)}`;
