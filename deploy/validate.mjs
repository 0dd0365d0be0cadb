// Validates the Kubernetes manifests against the Kubernetes API's JSON schemas as shipped by the npm package
// kubernetes-models (offline once installed): every document's kind must be known and the document valid,
// unknown fields included. Run by deploy/validate.sh, which installs the two packages into a temporary folder.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const dir = process.argv[3];
const require = createRequire(join(modules, "noop.js"));
const YAML = require("yaml");
let failures = 0;
let checked = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
  for (const doc of YAML.parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
    const obj = doc.toJS();
    if (!obj) continue;
    let Kind;
    try {
      const url = pathToFileURL(join(modules, "kubernetes-models", obj.apiVersion, "index.js"));
      Kind = (await import(url.href))[obj.kind];
    } catch (e) {
      Kind = undefined;
    }
    if (!Kind) {
      console.log(`${file}: unknown kind ${obj.apiVersion} ${obj.kind}`);
      failures++;
      continue;
    }
    try {
      new Kind(obj).validate();
      console.log(`${file}: ${obj.apiVersion} ${obj.kind} ${obj.metadata?.name}: valid`);
      checked++;
    } catch (e) {
      console.log(`${file}: ${obj.kind} invalid: ${e.message}`);
      failures++;
    }
  }
}
console.log(`${checked} valid, ${failures} invalid`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
