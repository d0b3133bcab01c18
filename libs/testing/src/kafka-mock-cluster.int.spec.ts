import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { startKafkaMockCluster } from './kafka-mock-cluster';

const reachable = (address: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = address.split(':');
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function eventuallyUnreachable(address: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!(await reachable(address))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('startKafkaMockCluster', () => {
  it('starts the asked number of brokers on loopback and stops them', async () => {
    const cluster = await startKafkaMockCluster({ brokers: 3 });
    expect(cluster.brokers).toHaveLength(3);
    for (const b of cluster.brokers) expect(b).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await reachable(cluster.brokers[0])).toBe(true);
    await cluster.stop();
    expect(await eventuallyUnreachable(cluster.brokers[0])).toBe(true);
  });

  it('dies with the process that started it, even one killed with SIGKILL', async () => {
    const module = path.join(__dirname, 'kafka-mock-cluster.ts');
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        '-e',
        `require(${JSON.stringify(module)}).startKafkaMockCluster({ brokers: 1 }).then((c) => console.log(c.brokers[0]))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const broker = await new Promise<string>((resolve) =>
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
    );
    expect(await reachable(broker)).toBe(true);
    child.kill('SIGKILL');
    expect(await eventuallyUnreachable(broker)).toBe(true);
  });

  it('says how to install kcat when it is missing', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startKafkaMockCluster()).rejects.toThrow('kcat not found: apt-get install -y kcat');
    } finally {
      process.env.PATH = saved;
    }
  });
});
