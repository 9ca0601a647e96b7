/** Checks of a config's providers and aliases that the shared schema cannot make: types, keys, names, alias targets. */
import { PROVIDERS, providerDescriptor } from '../providers/index.ts';
import type { ConfigProblem } from './loader.ts';
import { formatPath } from './path.ts';
import { providerSchema } from './schema.ts';

export interface ProviderCheck {
  problems: ConfigProblem[];
  warnings: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Runs on the raw input, not the parsed config, so these problems are reported even when the schema found others:
 * a user fixing a config sees every mistake at once.
 */
export function checkProviders(input: Record<string, unknown>): ProviderCheck {
  const result: ProviderCheck = { problems: [], warnings: [] };
  const providers = Array.isArray(input['providers']) ? input['providers'] : [];
  const firstByName = new Map<string, number>();
  providers.forEach((raw, index) => {
    if (!isRecord(raw)) return;
    const at = (...rest: PropertyKey[]) => formatPath(['providers', index, ...rest]);
    const name = raw['name'];
    if (typeof name === 'string' && name !== '') {
      const first = firstByName.get(name);
      if (first === undefined) firstByName.set(name, index);
      else
        result.problems.push({
          path: at('name'),
          message: `duplicate provider name "${name}" (also providers[${first}])`,
        });
    }
    if (typeof raw['type'] !== 'string' || raw['type'] === '') return;
    const descriptor = providerDescriptor(raw['type']);
    const enabled = raw['enabled'] !== false;
    if (!descriptor) {
      const message = unknownTypeMessage(raw['type']);
      // Nothing routes to a disabled provider, so its type need not exist yet.
      if (enabled) result.problems.push({ path: at('type'), message });
      else result.warnings.push(`${at('type')}: ${message} (provider is disabled)`);
      return;
    }
    const parsed = providerSchema.safeParse(raw);
    const own = parsed.success && descriptor.validate ? descriptor.validate(parsed.data) : [];
    const keys = Array.isArray(raw['keys']) ? raw['keys'] : [];
    // The descriptor's own word on keys is the more precise one.
    const keysChecked = own.some((problem) => problem.path.length === 1 && problem.path[0] === 'keys');
    if (enabled && descriptor.requiresKey && keys.length === 0 && raw['base_url'] === undefined && !keysChecked) {
      result.problems.push({ path: at('keys'), message: 'required' });
    }
    for (const problem of own) result.problems.push({ path: at(...problem.path), message: problem.message });
  });
  return result;
}

function unknownTypeMessage(type: string): string {
  return `unknown provider type "${type}" (known: ${Object.keys(PROVIDERS).join(', ')})`;
}

/** An alias must lead to a model some provider serves, or to a virtual model. */
export function checkAliases(input: Record<string, unknown>): ConfigProblem[] {
  const models = isRecord(input['models']) ? input['models'] : {};
  const aliases = isRecord(models['aliases']) ? models['aliases'] : {};
  const served = servedModels(input);
  const problems: ConfigProblem[] = [];
  for (const [alias, target] of Object.entries(aliases)) {
    if (typeof target === 'string' && target !== '' && !served.has(target)) {
      problems.push({
        path: formatPath(['models', 'aliases', alias]),
        message: `points at "${target}", which no provider serves`,
      });
    }
  }
  return problems;
}

/**
 * A virtual model's models (members, summarizer, the reasoning model) should be served: a warning, not a problem,
 * since a channel made in the admin API may serve them.
 */
export function checkVirtualModels(input: Record<string, unknown>): string[] {
  const models = isRecord(input['models']) ? input['models'] : {};
  const known = servedModels(input);
  if (isRecord(models['aliases'])) for (const alias of Object.keys(models['aliases'])) known.add(alias);
  const warnings: string[] = [];
  const virtual = Array.isArray(models['virtual']) ? models['virtual'] : [];
  for (const [i, v] of virtual.entries()) {
    if (!isRecord(v)) continue;
    const uses: [PropertyKey[], unknown][] = [
      [['model'], v['model']],
      [['summarizer'], v['summarizer']],
      ...(Array.isArray(v['members']) ? v['members'].map((m, j): [PropertyKey[], unknown] => [['members', j], m]) : []),
    ];
    for (const [field, name] of uses) {
      if (typeof name === 'string' && name !== '' && !known.has(name)) {
        warnings.push(
          `${formatPath(['models', 'virtual', i, ...field])}: no provider in this file serves "${name}" (a channel made in the admin API must)`,
        );
      }
    }
  }
  return warnings;
}

function servedModels(input: Record<string, unknown>): Set<string> {
  const served = new Set<string>();
  const addAll = (list: unknown) => {
    if (Array.isArray(list)) for (const name of list) if (typeof name === 'string') served.add(name);
  };
  for (const provider of Array.isArray(input['providers']) ? input['providers'] : []) {
    if (!isRecord(provider)) continue;
    addAll(provider['models']);
    addAll(provider['embedding_models']);
    if (isRecord(provider['model_map'])) addAll(Object.keys(provider['model_map']));
  }
  const models = isRecord(input['models']) ? input['models'] : {};
  if (Array.isArray(models['virtual'])) {
    addAll(models['virtual'].map((model) => (isRecord(model) ? model['name'] : undefined)));
  }
  return served;
}
