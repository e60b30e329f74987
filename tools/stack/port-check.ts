import { isPortFree } from '@muster/testing';

export async function busyPorts(
  ports: Readonly<Record<string, number>>,
): Promise<{ name: string; port: number }[]> {
  const checks = await Promise.all(
    Object.entries(ports).map(async ([name, port]) => ({ name, port, free: await isPortFree(port) })),
  );
  return checks.filter((c) => !c.free).map(({ name, port }) => ({ name, port }));
}
