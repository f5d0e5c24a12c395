import type { Driver } from '@chatcore/core/driver';

const DATA_CALLS = new Set(['insert', 'getByIds', 'query', 'count', 'aggregate', 'update', 'delete', 'upsert']);

/** A real driver whose data calls are counted (to prove a refused query sent nothing). */
export function countingDriver<D extends Driver>(driver: D): { driver: D; calls: () => number } {
  let n = 0;
  const proxy = new Proxy(driver, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop === 'string' && DATA_CALLS.has(prop) && typeof value === 'function') {
        return (...args: unknown[]) => {
          n++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { driver: proxy, calls: () => n };
}
