import { isLabelField } from './labels.js';
import type { StreamRef } from './record.js';

/**
 * The stream of an entry with its own labels, found from the raw label values (strings and numbers) without
 * sanitising, sorting or rendering them: a tree of maps, one level per label (its source, name, then value).
 * A key string built per entry cost more than the rest of the mapping (the Map must flatten and hash it).
 */

interface RawNode {
  stream?: StreamRef;
  /** Next by an `input.labels` name, then its value. */
  labels?: Map<string, Map<string | number, RawNode>>;
  /** Next by a `label_*` field's key, then its value. */
  fields?: Map<string, Map<string | number, RawNode>>;
}

type Branch = 'labels' | 'fields';

export class RawStreamCache {
  private readonly byLevel = new Map<string, RawNode>();
  private stored = 0;

  constructor(private readonly maxStreams: number) {}

  /**
   * The node of these raw labels (made if new): its `stream` once {@link store}d. Undefined when a value is
   * neither a string nor a number (not cached).
   */
  nodeFor(
    level: string,
    names: readonly string[],
    labels: Readonly<Record<string, unknown>> | undefined,
    keys: readonly string[],
    loose: Readonly<Record<string, unknown>> | undefined,
  ): RawNode | undefined {
    let node = this.byLevel.get(level);
    if (node === undefined) {
      node = {};
      this.byLevel.set(level, node);
    }
    for (const name of names) {
      node = step(node, 'labels', name, labels![name]);
      if (node === undefined) return undefined;
    }
    for (const key of keys) {
      if (!isLabelField(key)) continue;
      node = step(node, 'fields', key, loose![key]);
      if (node === undefined) return undefined;
    }
    return node;
  }

  store(node: RawNode, stream: StreamRef): void {
    if (this.stored >= this.maxStreams) {
      // Bounded: start afresh (the node given is then no longer in the tree; it is kept by nobody).
      this.clear();
      return;
    }
    if (node.stream === undefined) this.stored++;
    node.stream = stream;
  }

  clear(): void {
    this.byLevel.clear();
    this.stored = 0;
  }
}

function step(node: RawNode, branch: Branch, name: string, value: unknown): RawNode | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const names = (node[branch] ??= new Map<string, Map<string | number, RawNode>>());
  let values = names.get(name);
  if (values === undefined) {
    values = new Map<string | number, RawNode>();
    names.set(name, values);
  }
  let next = values.get(value);
  if (next === undefined) {
    next = {};
    values.set(value, next);
  }
  return next;
}
