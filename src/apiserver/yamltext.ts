// YAML request bodies (kubectl apply --server-side, application/yaml) to a JSON value.
import YAML from 'yaml';

/**
 * Parses YAML text, bounded in cost. Most "YAML" bodies are JSON (kubectl sends JSON as
 * apply-patch+yaml), and JSON.parse is linear and far faster than a YAML parser, so JSON is
 * tried first. For real YAML the yaml package's duplicate-key check is quadratic in the keys of
 * a map (50,000 keys blocked the server for tens of seconds), so it is off: duplicates resolve
 * to the last value, as they do for JSON bodies. maxAliasCount bounds alias expansion as
 * go-yaml's "excessive aliasing" check does.
 */
export function parseYamlText(text: string): unknown {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try { return JSON.parse(text); } catch { /* not JSON after all: let the YAML parser say why */ }
  }
  return YAML.parse(text, { maxAliasCount: 100, uniqueKeys: false });
}
