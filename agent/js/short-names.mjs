// Build step (make agent): gives wasm-bindgen's glue the short import and export names that
// `wasm-opt --minify-imports-and-exports-and-modules` gave the wasm.
//
//   node agent/js/short-names.mjs MAPPING.json GLUE.js > GLUE-SHORT.js
//
// wasm-bindgen names each import after its JS function and a 16-digit hash
// (`__wbg_sendBeacon_526397b3e7047f35`) and each closure export after its Rust path; in the
// wasm and again in the glue those names cost about 2 kB brotli of what every page loads.
// Fails, naming it, on any name of the glue the mapping does not cover: a half-renamed glue
// would break every page.
import { readFileSync } from "node:fs";

const [mappingFile, glueFile] = process.argv.slice(2);
const mapping = JSON.parse(readFileSync(mappingFile, "utf8"));
let glue = readFileSync(glueFile, "utf8");

const modules = new Set(mapping.imports.map(([module]) => module));
if (modules.size !== 1) throw new Error(`expected one import module, got ${[...modules]}`);
const [module] = modules;
const quoted = JSON.stringify(module);
if (!glue.includes(`${quoted}: import0`)) throw new Error(`the glue does not import ${quoted}`);
// wasm-opt renames the module to "a".
glue = glue.replace(`${quoted}: import0`, `"a": import0`);

const imports = new Map(mapping.imports.map(([, from, to]) => [from, to]));
glue = glue.replace(/^(\s*)(__wbg[\w$]*|__wbindgen[\w$]*): function/gm, (line, indent, name) => {
  const to = imports.get(name);
  if (to === undefined) throw new Error(`import ${name} is not in the mapping`);
  imports.delete(name);
  return `${indent}${JSON.stringify(to)}: function`;
});
if (imports.size) throw new Error(`imports the glue does not define: ${[...imports.keys()]}`);

const exports = new Map(mapping.exports);
glue = glue.replace(/\bwasm\.([\w$]+)/g, (_, name) => {
  const to = exports.get(name);
  if (to === undefined) throw new Error(`export ${name} is not in the mapping`);
  return `wasm[${JSON.stringify(to)}]`;
});
process.stdout.write(glue);
