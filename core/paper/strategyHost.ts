/**
 * Where a paper session's strategy runs: the host side of a long-lived strategy.
 * `InProcessStrategyHost` is `--sandbox none --trust` (and fast tests);
 * sandboxSession.ts runs it in a container or a restricted process.
 */
import type { LogLine } from '../engine/types';
import type { StrategyClass } from '../strategy/load';
import { LiveEngine } from './liveEngine';
import type { Decision, Feed, SessionInit } from './types';

export interface StrategyHost {
  /** Loads the strategy and constructs it (its constructor runs here). */
  start(init: SessionInit): Promise<void>;
  /** One step: the strategy sees the bars and says what it wants. */
  step(feed: Feed): Promise<Decision>;
  /** Ends the strategy (the container or process is removed). Idempotent. */
  close(): Promise<void>;
  /** For messages: "docker container 3f2a…", "this process". */
  readonly label: string;
}

export class InProcessStrategyHost implements StrategyHost {
  private engine: LiveEngine | undefined;
  readonly label = 'this process (--sandbox none --trust: not isolated)';

  constructor(
    private readonly load: () => StrategyClass,
    private readonly onLog: (line: LogLine) => void,
  ) {}

  async start(init: SessionInit): Promise<void> {
    this.engine = new LiveEngine(this.load(), init, (time, message) => this.onLog({ time, message }));
  }

  async step(feed: Feed): Promise<Decision> {
    if (!this.engine) throw new Error('the strategy host was not started');
    // A structured clone, like the sandbox's channel: the strategy gets copies, never the host's objects.
    return this.engine.step(structuredClone(feed));
  }

  async close(): Promise<void> {
    this.engine = undefined;
  }
}
