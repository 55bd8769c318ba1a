// metav1.LabelSelector objects (matchLabels + matchExpressions), as webhooks' namespaceSelector and
// objectSelector use them. An absent or empty selector matches everything.

export type LabelSelectorObject = {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
};

export function matchesSelectorObject(sel: LabelSelectorObject | undefined, labels: Readonly<Record<string, string>> = {}): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': if (value === undefined || !values.includes(value)) return false; break;
      case 'NotIn': if (value !== undefined && values.includes(value)) return false; break;
      case 'Exists': if (value === undefined) return false; break;
      case 'DoesNotExist': if (value !== undefined) return false; break;
      default: return false;
    }
  }
  return true;
}
