// Checks every document of the given YAML files against the Kubernetes API schema of its
// apiVersion and kind (kubernetes-models: the API's OpenAPI schemas, bundled, so no cluster and no
// network). Types, required fields and formats are checked; fields the schemas do not name are not.
// A kustomization.yaml among the files has each of its resources checked for existence and validated.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

let valid = 0;
const problems = [];
const files = [...process.argv.slice(2)];
const seen = new Set();
for (let i = 0; i < files.length; i++) {
  const file = files[i];
  if (seen.has(resolve(file))) {
    continue;
  }
  seen.add(resolve(file));
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      problems.push(`${file}: not YAML: ${doc.errors[0].message}`);
      continue;
    }
    const object = doc.toJS();
    if (object == null) {
      continue;
    }
    if (basename(file) === "kustomization.yaml") {
      // Not an API object: check that what it lists is there (and validate those files too).
      for (const resource of object.resources ?? []) {
        const path = resolve(dirname(file), resource);
        if (existsSync(path)) {
          files.push(path);
        } else {
          problems.push(`${file}: resource ${resource} does not exist`);
        }
      }
      continue;
    }
    const where = `${file}: ${object.kind} ${object.metadata?.name ?? "(no name)"}`;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      problems.push(`${where}: apiVersion and kind are required`);
      continue;
    }
    const model = `kubernetes-models/${object.apiVersion}/${object.kind}`;
    let type;
    try {
      type = (await import(model))[object.kind];
    } catch {
      problems.push(`${where}: unknown apiVersion/kind ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new type(object).validate();
      valid++;
    } catch (error) {
      problems.push(`${where}: ${error.message}`);
    }
  }
}
problems.forEach((p) => console.error(p));
console.log(`Kubernetes manifests: ${valid} valid, ${problems.length} invalid`);
process.exit(problems.length > 0 ? 1 : 0);
