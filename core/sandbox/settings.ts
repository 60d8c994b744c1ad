/**
 * The user-facing sandbox settings (VS Code `strategyLab.sandbox.*`, CLI flags)
 * mapped onto SandboxSettings. Pure, so the extension passes its configuration
 * values and gets the runner settings or one actionable error.
 */
import type { SandboxSettings, SandboxMode } from './runner';

/** Flat settings as they appear in VS Code (`strategyLab.sandbox.<name>`). */
export interface UserSandboxSettings {
  mode?: string;
  dockerHost?: string;
  image?: string;
  memoryMb?: number;
  cpus?: number;
  timeLimitSeconds?: number;
  warmContainers?: number;
}

/** The package.json `contributes.configuration.properties` entries for these settings. */
export const SANDBOX_SETTINGS_SCHEMA = {
  'strategyLab.sandbox.mode': { type: 'string', enum: ['docker', 'process'], default: 'docker', enumDescriptions: ['Docker container per run (isolated; recommended)', 'Separate Node process with permission flags (weaker isolation; for machines without Docker)'], description: 'Where backtests of strategy code run.' },
  'strategyLab.sandbox.dockerHost': { type: 'string', default: '', description: 'Docker engine: unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host. Empty: DOCKER_HOST, else the local socket.' },
  'strategyLab.sandbox.image': { type: 'string', default: '', description: 'Use this image instead of the one Strategy Lab builds (it must exist on the engine).' },
  'strategyLab.sandbox.memoryMb': { type: 'number', default: 512, minimum: 96, description: 'Memory limit of one backtest, MB.' },
  'strategyLab.sandbox.cpus': { type: 'number', default: 1, minimum: 0.1, description: 'CPU cores one backtest may use (Docker).' },
  'strategyLab.sandbox.timeLimitSeconds': { type: 'number', default: 300, minimum: 1, description: 'Wall-clock limit of one backtest, seconds.' },
  'strategyLab.sandbox.warmContainers': { type: 'number', default: 1, minimum: 0, maximum: 8, description: 'Containers kept started and waiting, so a run does not pay for container start (each used once).' },
} as const;

export function sandboxSettingsFrom(user: UserSandboxSettings): SandboxSettings {
  const mode = (user.mode || 'docker') as SandboxMode;
  if (mode !== 'docker' && mode !== 'process') {
    throw new RangeError(`Sandbox mode '${user.mode}' is not one of docker, process. Set strategyLab.sandbox.mode to 'docker' (recommended) or 'process' (weaker isolation).`);
  }
  const warm = user.warmContainers ?? 1;
  if (!(Number.isInteger(warm) && warm >= 0 && warm <= 8)) throw new RangeError(`warmContainers must be a whole number from 0 to 8, got ${warm}.`);
  return {
    mode,
    docker: user.dockerHost?.trim() ? { host: user.dockerHost.trim() } : undefined,
    image: user.image?.trim() || undefined,
    poolSize: warm,
    limits: {
      memoryMb: user.memoryMb,
      cpus: user.cpus,
      timeMs: user.timeLimitSeconds === undefined ? undefined : Math.round(user.timeLimitSeconds * 1000),
    },
  };
}
