/**
 * Keeps the variants of a batch apart inside one worker realm (docs/sandbox.md, "Batches").
 *
 * Each variant evaluates the strategy's module afresh (core/strategy/load.ts strategyModule), so module-level
 * and static state start over. What the module cannot reset is the realm it runs in: the global object and the
 * built-ins harden.ts leaves writable (Error and its family, Intl, URL, Buffer, …). A snapshot of their own
 * properties is taken before the first variant and put back before every variant: a global a variant adds is
 * deleted, a property it replaced is restored. A change that cannot be undone (a non-configurable property
 * added, an object made non-extensible or frozen) taints the realm: the batch stops after that variant and the
 * host runs the rest in a fresh sandbox. The frozen built-ins (harden.ts) cannot change at all.
 */

type Key = string | symbol;

interface Watched {
  target: object;
  extensible: boolean;
  keys: Map<Key, PropertyDescriptor>;
}

/**
 * Objects reached from the global object at most this deep are watched: the globals, their properties and
 * prototypes (Error.prototype, URL.prototype, Intl.DateTimeFormat…). A third level (Intl.DateTimeFormat.prototype)
 * doubled the watched objects and the reset time per variant (measured ~1.4 ms → ~4 ms on this loaded machine)
 * for objects no strategy has a reason to touch; docs/sandbox.md names the gap.
 */
const DEPTH = 2;
/** A bound on the watched objects, so a runtime with a huge global graph cannot make every variant slow. */
const MAX_WATCHED = 4000;

// Captured before strategy code exists (it shares this realm).
const { ownKeys } = Reflect;
const { getOwnPropertyDescriptor, defineProperty, isFrozen, isExtensible } = Object;

const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable && a.enumerable === b.enumerable && a.configurable === b.configurable;
}

export interface RealmSnapshot {
  /** Puts the realm back as it was at the snapshot; false when some change could not be undone (tainted). */
  restore(): boolean;
  /** Objects watched (for tests and the docs). */
  readonly size: number;
}

/**
 * Visits the objects reached from `root` through own data properties, at most DEPTH levels below it, breadth first,
 * each once; `visit` returns false to leave what lies below an object unvisited. The root's getters are followed
 * too: lazy globals (crypto, navigator…) are getters on the global object returning one object; only there, since
 * a prototype's getters expect an instance (some return a rejected promise for anything else).
 */
export function walkRealm(root: object, visit: (target: object) => boolean, depthLimit = DEPTH): void {
  const seen = new Set<object>();
  let frontier: object[] = [root];
  for (let depth = 0; depth <= depthLimit && frontier.length; depth++) {
    const next: object[] = [];
    for (const target of frontier) {
      if (seen.has(target) || seen.size >= MAX_WATCHED) continue;
      seen.add(target);
      if (!visit(target)) continue;
      for (const key of ownKeys(target)) {
        const d = getOwnPropertyDescriptor(target, key);
        if (!d) continue;
        if (isObject(d.value)) next.push(d.value);
        else if (d.get && target === root) {
          try {
            const v: unknown = d.get.call(target);
            if (isObject(v)) next.push(v);
          } catch {
            // not followed
          }
        }
      }
    }
    frontier = next;
  }
}

export function snapshotRealm(root: object = globalThis): RealmSnapshot {
  const watched: Watched[] = [];
  walkRealm(root, (target) => {
    if (isFrozen(target)) return false; // nothing about it can change
    const keys = new Map<Key, PropertyDescriptor>();
    for (const key of ownKeys(target)) {
      const d = getOwnPropertyDescriptor(target, key);
      if (d) keys.set(key, d);
    }
    watched.push({ target, extensible: isExtensible(target), keys });
    return true;
  });
  return {
    size: watched.length,
    restore(): boolean {
      let clean = true;
      for (const w of watched) {
        const { target, keys } = w;
        if (isExtensible(target) !== w.extensible) clean = false;
        const now = ownKeys(target);
        if (now.length !== keys.size || !now.every((k) => keys.has(k))) {
          for (const key of now) {
            if (keys.has(key)) continue;
            if (!Reflect.deleteProperty(target, key)) clean = false;
          }
        }
        for (const [key, saved] of keys) {
          const d = getOwnPropertyDescriptor(target, key);
          if (d && sameDescriptor(d, saved)) continue;
          try {
            defineProperty(target, key, saved);
          } catch {
            clean = false;
          }
        }
      }
      return clean;
    },
  };
}

/**
 * Reads every lazy global (getters on the global object: crypto, navigator…) once, so the modules behind them
 * load while the sandbox is idle (the warm-up), not in the snapshot at the start of a batch.
 */
export function touchLazyGlobals(root: object = globalThis): void {
  for (const key of ownKeys(root)) {
    const d = getOwnPropertyDescriptor(root, key);
    if (!d?.get) continue;
    try {
      d.get.call(root);
    } catch {
      // a getter that throws is left alone
    }
  }
}

const EMPTY_MATCH = /(?:)/;

/**
 * Resets what the realm remembers of the last regular expression match (RegExp.$1, lastMatch, input…: legacy
 * statics every match updates, even with RegExp frozen), so one variant cannot read another's last match.
 * Called before every strategy module evaluation, in single runs too, so both start from the same state.
 */
export function resetRegExpStatics(): void {
  EMPTY_MATCH.exec('');
}
