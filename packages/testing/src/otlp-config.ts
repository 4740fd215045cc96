/**
 * Loki's `limits_config.otlp_config` (pkg/loghttp/push/otlp_config.go): which OTLP attributes become index labels,
 * structured metadata or are dropped. Rules are tried in order and the first match wins; unless `ignoreDefaults`,
 * Loki's default list of index-label resource attributes is the first rule. Unmatched attributes are metadata.
 */

export type OtlpAttributeAction = 'index_label' | 'structured_metadata' | 'drop';

/** One `attributes_config` entry: exactly one of `attributes` (names as sent) or `regex` (anchored, RE2-like). */
export interface OtlpAttributesRule {
  /** Default `'structured_metadata'`, as in Loki. `'index_label'` only for resource attributes. */
  action?: OtlpAttributeAction;
  attributes?: string[];
  regex?: string;
}

/** The receiver's `otlp_config` (one for every tenant). `{}` is Loki's default. */
export interface OtlpConfig {
  resourceAttributes?: {
    /** Do not put Loki's default index-label rule first. Default false. */
    ignoreDefaults?: boolean;
    attributesConfig?: OtlpAttributesRule[];
  };
  scopeAttributes?: OtlpAttributesRule[];
  logAttributes?: OtlpAttributesRule[];
}

/** `distributor.otlp.default_resource_attributes_as_index_labels` of Loki 3.4.6: 18 names. */
export const OTLP_DEFAULT_INDEX_LABEL_ATTRIBUTES: readonly string[] = Object.freeze([
  'service.name',
  'service.namespace',
  'service.instance.id',
  'deployment.environment',
  'deployment.environment.name',
  'cloud.region',
  'cloud.availability_zone',
  'k8s.cluster.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.container.name',
  'container.name',
  'k8s.replicaset.name',
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
  'k8s.cronjob.name',
  'k8s.job.name',
]);

interface CompiledRule {
  action: OtlpAttributeAction;
  names: ReadonlySet<string> | undefined;
  regex: RegExp | undefined;
}

/** The compiled rules for the three kinds of attribute. */
export interface OtlpAttributeRules {
  resource: readonly CompiledRule[];
  scope: readonly CompiledRule[];
  log: readonly CompiledRule[];
}

const ACTIONS: readonly string[] = ['index_label', 'structured_metadata', 'drop'];

/** Loki's config checks (its start-up errors), as a TypeError. */
function compile(rules: readonly OtlpAttributesRule[] | undefined, where: string, resource: boolean): CompiledRule[] {
  return (rules ?? []).map((rule) => {
    const action = rule.action ?? 'structured_metadata';
    if (!ACTIONS.includes(action))
      throw new TypeError(
        `otlpConfig.${where}: unsupported action, it must be one of: drop, index_label, structured_metadata`,
      );
    const hasNames = rule.attributes !== undefined && rule.attributes.length > 0;
    if (!hasNames && rule.regex === undefined)
      throw new TypeError(`otlpConfig.${where}: attributes or regex must be set`);
    if (hasNames && rule.regex !== undefined)
      throw new TypeError(`otlpConfig.${where}: only one of attributes or regex must be set`);
    if (action === 'index_label' && !resource)
      throw new TypeError(`otlpConfig.${where}: index_label action is only supported for resource_attributes`);
    return {
      action,
      names: hasNames ? new Set(rule.attributes) : undefined,
      // Prometheus' relabel.Regexp: anchored at both ends.
      regex: rule.regex === undefined ? undefined : new RegExp(`^(?:${rule.regex})$`),
    };
  });
}

/** Compiles a config; throws TypeError for one Loki refuses to start with. */
export function compileOtlpConfig(config: OtlpConfig = {}): OtlpAttributeRules {
  const resource = compile(config.resourceAttributes?.attributesConfig, 'resourceAttributes', true);
  if (config.resourceAttributes?.ignoreDefaults !== true)
    resource.unshift({ action: 'index_label', names: new Set(OTLP_DEFAULT_INDEX_LABEL_ATTRIBUTES), regex: undefined });
  return {
    resource,
    scope: compile(config.scopeAttributes, 'scopeAttributes', false),
    log: compile(config.logAttributes, 'logAttributes', false),
  };
}

/** `actionForAttribute`: the first rule whose regex or names match the attribute name as sent. */
export function actionFor(rules: readonly CompiledRule[], name: string): OtlpAttributeAction {
  for (const rule of rules) {
    if (rule.regex !== undefined && rule.regex.test(name)) return rule.action;
    if (rule.names !== undefined && rule.names.has(name)) return rule.action;
  }
  return 'structured_metadata';
}
