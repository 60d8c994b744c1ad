/**
 * The sandbox settings of VS Code (`strategyLab.sandbox.*`) mapped onto the runner's SandboxSettings, with
 * their package.json schema. Pure: the extension passes the raw configuration values and gets runner
 * settings with every default filled in, or one error that names the setting and what it accepts.
 * package.json's entries are tested to be exactly SANDBOX_SETTINGS_SCHEMA.
 */
import type { SandboxLimits } from './limits';
import type { SandboxSettings } from './runner';

/** Raw values as VS Code has them (`strategyLab.sandbox.<name>`); anything may be missing or mistyped. */
export interface UserSandboxSettings {
  mode?: unknown;
  dockerHost?: unknown;
  dockerCertPath?: unknown;
  image?: unknown;
  poolSize?: unknown;
  memoryMb?: unknown;
  cpus?: unknown;
  timeLimitSeconds?: unknown;
}

export const SANDBOX_SETTING_KEYS = ['mode', 'dockerHost', 'dockerCertPath', 'image', 'poolSize', 'memoryMb', 'cpus', 'timeLimitSeconds'] as const;

/** The package.json `contributes.configuration.properties` entries of these settings (tested against package.json). */
export const SANDBOX_SETTINGS_SCHEMA = {
  "strategyLab.sandbox.mode": {
    "type": "string",
    "default": "docker",
    "markdownDescription": "Where backtests run. `docker`: an isolated container (no network, read-only, resource limits). `process`: a separate Node process with permission flags — **weaker isolation**, for machines without Docker. Never chosen silently.",
    "enum": [
      "docker",
      "process"
    ],
    "enumDescriptions": [
      "Isolated Docker container (recommended).",
      "Separate Node process: weaker isolation than a container."
    ],
    "scope": "machine-overridable"
  },
  "strategyLab.sandbox.dockerHost": {
    "type": "string",
    "default": "",
    "markdownDescription": "Docker engine to use: `unix:///var/run/docker.sock`, `tcp://host:2376` or `ssh://user@host`. Empty: `DOCKER_HOST`, else the local socket. A remote engine is how backtests outgrow one machine.",
    "scope": "machine-overridable"
  },
  "strategyLab.sandbox.dockerCertPath": {
    "type": "string",
    "default": "",
    "markdownDescription": "For a TLS engine (`tcp://host:2376`): the folder with `ca.pem`, `cert.pem` and `key.pem`. Empty: `DOCKER_CERT_PATH` when set.",
    "scope": "machine-overridable"
  },
  "strategyLab.sandbox.image": {
    "type": "string",
    "default": "",
    "markdownDescription": "Use this Docker image for the sandbox instead of building one (empty: build `strategy-lab-sandbox:<runtime hash>` automatically).",
    "scope": "machine-overridable"
  },
  "strategyLab.sandbox.poolSize": {
    "type": "integer",
    "default": 1,
    "description": "Warm sandbox containers kept ready so a click does not wait for a container to start. 0 disables the pool.",
    "minimum": 0,
    "maximum": 8
  },
  "strategyLab.sandbox.memoryMb": {
    "type": "integer",
    "default": 512,
    "description": "Memory limit of one backtest (MB).",
    "minimum": 96
  },
  "strategyLab.sandbox.cpus": {
    "type": "number",
    "default": 1,
    "description": "CPU limit of one backtest (cores, fractions allowed). Docker mode only.",
    "minimum": 0.1
  },
  "strategyLab.sandbox.timeLimitSeconds": {
    "type": "integer",
    "default": 300,
    "description": "Wall-clock limit of one backtest (seconds). A run that takes longer is stopped.",
    "minimum": 1
  }
} as const;

/** What the extension runs with: no-isolation mode is not offered, every limit is set. */
export interface ExtensionSandboxSettings extends SandboxSettings {
  mode: 'docker' | 'process';
  poolSize: number;
  limits: Pick<SandboxLimits, 'memoryMb' | 'cpus' | 'timeMs'>;
}

type Schema = (typeof SANDBOX_SETTINGS_SCHEMA)[keyof typeof SANDBOX_SETTINGS_SCHEMA];

function numberSetting(user: UserSandboxSettings, name: 'poolSize' | 'memoryMb' | 'cpus' | 'timeLimitSeconds', problems: string[]): number {
  const schema = SANDBOX_SETTINGS_SCHEMA[`strategyLab.sandbox.${name}`] as Schema & { minimum?: number; maximum?: number };
  const value = user[name] ?? schema.default;
  const integer = schema.type === 'integer';
  const min = schema.minimum ?? -Infinity;
  const max = schema.maximum ?? Infinity;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    problems.push(`strategyLab.sandbox.${name} must be ${integer ? 'a whole number' : 'a number'} ${range}, got ${JSON.stringify(value)}`);
    return schema.default as number;
  }
  return value;
}

function stringSetting(user: UserSandboxSettings, name: 'dockerHost' | 'dockerCertPath' | 'image', problems: string[]): string | undefined {
  const value = user[name] ?? '';
  if (typeof value !== 'string') {
    problems.push(`strategyLab.sandbox.${name} must be text, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value.trim() || undefined;
}

export function sandboxSettingsFrom(user: UserSandboxSettings, env: NodeJS.ProcessEnv = process.env): ExtensionSandboxSettings {
  const problems: string[] = [];
  const mode = user.mode ?? 'docker';
  if (mode !== 'docker' && mode !== 'process') {
    problems.push(`strategyLab.sandbox.mode must be 'docker' (recommended) or 'process' (weaker isolation), got ${JSON.stringify(mode)}`);
  }
  const host = stringSetting(user, 'dockerHost', problems);
  // A host given here is used as is (docker-modem then ignores DOCKER_CERT_PATH), so the cert folder comes along.
  const certPath = stringSetting(user, 'dockerCertPath', problems) ?? (host ? env.DOCKER_CERT_PATH?.trim() || undefined : undefined);
  const image = stringSetting(user, 'image', problems);
  const poolSize = numberSetting(user, 'poolSize', problems);
  const memoryMb = numberSetting(user, 'memoryMb', problems);
  const cpus = numberSetting(user, 'cpus', problems);
  const seconds = numberSetting(user, 'timeLimitSeconds', problems);
  if (problems.length) throw new RangeError(`Invalid sandbox settings: ${problems.join('; ')}. Fix them in Settings (Strategy Lab › Sandbox).`);
  return {
    mode: mode as 'docker' | 'process',
    docker: host ? { host, ...(certPath ? { certPath } : {}) } : {},
    ...(image ? { image } : {}),
    poolSize,
    limits: { memoryMb, cpus, timeMs: Math.round(seconds * 1000) },
  };
}
