/** `strategy-lab sandbox build|doctor`: build the sandbox image, or check the whole sandbox setup. */
import { resolve } from 'node:path';
import { parseCli, numberArg } from '../args';
import { CliError, type CliIo } from '../io';
import { assertDockerReachable, createDockerClient, type DockerHostSettings } from '../../sandbox/docker-client';
import { formatDoctor, runDoctor } from '../../sandbox/doctor';
import { ensureImage, type BuildMethod } from '../../sandbox/image';
import { defaultRuntimePath } from '../../sandbox/runtime-bundle';

const USAGE = `Usage: strategy-lab sandbox build [--force] [--offline | --dockerfile] [--docker-host URL] [--runtime dist/sandbox/runtime.js]
       strategy-lab sandbox doctor [--docker-host URL] [--image NAME] [--memory-mb N] [--pids N] [--cpus N]

  build   builds the sandbox image (tagged with the runtime's content hash) through the Docker API:
          sandbox/Dockerfile first, then offline (FROM scratch with this machine's Node) if the base cannot be pulled
  doctor  checks the Docker engine, the image, the container restrictions, a trial run and leftovers
  --docker-host  unix:///path.sock, tcp://host:2376 or ssh://user@host (default: DOCKER_HOST, else the local socket)`;

const OPTIONS = {
  force: { type: 'boolean' },
  offline: { type: 'boolean' },
  dockerfile: { type: 'boolean' },
  'docker-host': { type: 'string' },
  'cert-path': { type: 'string' },
  image: { type: 'string' },
  runtime: { type: 'string' },
  'memory-mb': { type: 'string' },
  pids: { type: 'string' },
  cpus: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runSandboxCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  const sub = positionals[0];
  if (values.help || !sub) {
    io.stdout(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const docker: DockerHostSettings = { host: values['docker-host'], certPath: values['cert-path'] };
  const runtimePath = values.runtime ? resolve(values.runtime) : defaultRuntimePath();
  if (sub === 'build') {
    if (values.offline && values.dockerfile) throw new CliError('Give at most one of --offline and --dockerfile.', 2);
    const methods: BuildMethod[] = values.offline ? ['offline'] : values.dockerfile ? ['dockerfile'] : ['dockerfile', 'offline'];
    const client = createDockerClient(docker);
    await assertDockerReachable(client, docker);
    const info = await ensureImage({ docker: client, runtimePath, methods, force: values.force, onProgress: (line) => io.stderr(`${line}\n`) });
    io.stdout(`${info.tag}${info.method === 'existing' ? ' (already built; --force rebuilds)' : ` (built: ${info.method})`}\n`);
    return 0;
  }
  if (sub === 'doctor') {
    const checks = await runDoctor({
      docker,
      image: values.image,
      runtimePath,
      limits: { memoryMb: numberArg('memory-mb', values['memory-mb']), pids: numberArg('pids', values.pids), cpus: numberArg('cpus', values.cpus) },
    });
    io.stdout(formatDoctor(checks));
    return checks.every((c) => c.ok) ? 0 : 1;
  }
  throw new CliError(`Unknown sandbox command '${sub}'.\n${USAGE}`, 2);
}
