#!/usr/bin/env node
// Run a TypeScript example through the real Pulumi engine, without the pulumi-language-nodejs host.
//
//   node tests/harness/noderun.js <example_dir> <stack> <op> [--config k=v ...] [--secret k=v ...]
//                                 [--expect-no-changes] [--force] [--no-build]
//
// op is one of preview | up | refresh | destroy | outputs | rm. Same contract as pyrun.py:
// engine output on stderr, one JSON line on stdout
//   {"op", "changes": {create, update, same, delete, replace, import}, "outputs": {...}, "result": "succeeded"}
// or {"op", "result": "failed", "error"} and exit status 1.
//
// For preview/up the example is first compiled with its own tsc (`npm run build`, output
// bin/index.js or package.json "main"; --no-build skips this). The compiled module is then
// loaded inside an Automation API *inline* program, the way the language host would load
// it: named exports (or the result of a default-exported function) become stack outputs.
// Everything Pulumi comes from the example's own node_modules, so there is one copy of the
// @pulumi/pulumi runtime in the process. The example directory is the workspace work_dir (or a
// copy of its Pulumi.yaml under HARNESS_WORKSPACES, see workspaceDir) and no project settings
// are passed, so its Pulumi.yaml (plugins.providers) is used as is.
// Environment defaults are the same as pyrun.py's (see tests/harness/README.md).
"use strict";

const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const { createRequire } = require("module");
const { pathToFileURL } = require("url");

const REPO = path.resolve(__dirname, "..", "..");
const OPS = ["preview", "up", "refresh", "destroy", "outputs", "rm"];
const CHANGE_KINDS = ["create", "update", "same", "delete", "replace", "import"];

function usage(msg) {
  process.stderr.write(`noderun: ${msg}\nusage: node noderun.js <example_dir> <stack> <${OPS.join("|")}> ` +
    "[--config k=v ...] [--secret k=v ...] [--expect-no-changes] [--force] [--no-build]\n");
  process.exit(2);
}

function parseArgs(argv) {
  const args = { config: [], secret: [], expectNoChanges: false, force: false, build: true, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--config" || a === "--secret") {
      const kv = argv[++i] || "";
      const eq = kv.indexOf("=");
      if (eq < 0) usage(`expected k=v after ${a}, got ${JSON.stringify(kv)}`);
      args[a.slice(2)].push([kv.slice(0, eq), kv.slice(eq + 1)]);
    } else if (a === "--expect-no-changes") args.expectNoChanges = true;
    else if (a === "--force") args.force = true;
    else if (a === "--no-build") args.build = false;
    else if (a.startsWith("--")) usage(`unknown flag ${a}`);
    else args.positional.push(a);
  }
  if (args.positional.length !== 3) usage("expected <example_dir> <stack> <op>");
  [args.exampleDir, args.stack, args.op] = args.positional;
  if (!OPS.includes(args.op)) usage(`unknown op ${args.op}`);
  args.exampleDir = path.resolve(args.exampleDir);
  return args;
}

function defaultEnv() {
  const state = path.join(REPO, ".state");
  const defaults = {
    PULUMI_BACKEND_URL: "file://" + path.join(state, "backend"),
    PULUMI_HOME: path.join(state, "pulumi-home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // Fail at once when a plugin is not where Pulumi.yaml says, instead of trying a download.
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  if (!process.env.PULUMI_CONFIG_PASSPHRASE_FILE) defaults.PULUMI_CONFIG_PASSPHRASE = "local-test-passphrase";
  for (const [k, v] of Object.entries(defaults)) if (process.env[k] === undefined) process.env[k] = v;
  const url = process.env.PULUMI_BACKEND_URL;
  if (url.startsWith("file://")) fs.mkdirSync(url.slice("file://".length), { recursive: true });
  fs.mkdirSync(process.env.PULUMI_HOME, { recursive: true });
}

// The pinned CLI: $PULUMI (a path ending in bin/pulumi) or .tools/bin/pulumi.
function pulumiRoot() {
  const p = path.resolve(process.env.PULUMI || path.join(REPO, ".tools", "bin", "pulumi"));
  if (path.basename(p) !== "pulumi" || path.basename(path.dirname(p)) !== "bin") {
    throw new HarnessError(`PULUMI must be a path ending in bin/pulumi, got ${p}`);
  }
  if (!fs.existsSync(p)) throw new HarnessError(`${p} not found; run \`make tools\``);
  return path.dirname(path.dirname(p));
}

class HarnessError extends Error {}

function build(exampleDir) {
  const r = spawnSync("npm", ["run", "build"], { cwd: exampleDir, stdio: ["ignore", 2, 2] });
  if (r.status !== 0) throw new HarnessError(`npm run build failed in ${exampleDir} (status ${r.status})`);
}

// The inline program: load the compiled example as the language host's run.js does.
function makeProgram(exampleDir, pkg) {
  const main = path.resolve(exampleDir, pkg.main || path.join("bin", "index.js"));
  return async () => {
    let exported;
    if (pkg.type === "module" || main.endsWith(".mjs")) {
      exported = await import(pathToFileURL(main).href);
      if (Object.getOwnPropertyDescriptor(exported, "default") !== undefined) {
        if (Object.keys(exported).length !== 1) {
          throw new Error("expected entrypoint module to have either a default export or named exports but not both");
        }
        exported = exported.default;
      }
    } else {
      exported = require(main);
    }
    return exported instanceof Function ? await exported() : exported;
  };
}

function changesOf(summary) {
  const out = {};
  for (const k of CHANGE_KINDS) out[k] = (summary && summary[k]) || 0;
  return out;
}

function outputsOf(outputs) {
  const out = {};
  for (const [k, v] of Object.entries(outputs || {})) out[k] = v.value;
  return out;
}

// Where the engine keeps the stack's settings (Pulumi.<stack>.yaml): the example directory, or,
// when HARNESS_WORKSPACES names a directory, a directory of the example's own under it with a
// copy of its Pulumi.yaml (relative plugin paths made absolute) next to links to the example's
// siblings (a project-relative path such as ../model names the same file), as pyrun.py's
// workspace_dir.
function workspaceDir(exampleDir) {
  const root = process.env.HARNESS_WORKSPACES;
  if (!root) return exampleDir;
  const parent = path.dirname(exampleDir);
  const mirror = path.join(root, path.relative(REPO, parent).split(path.sep).join("--").replace(/\.\./g, "up"));
  const workDir = path.join(mirror, path.basename(exampleDir));
  fs.mkdirSync(workDir, { recursive: true });
  for (const entry of fs.readdirSync(parent)) {
    const target = path.join(parent, entry);
    const link = path.join(mirror, entry);
    if (fs.existsSync(path.join(target, "Pulumi.yaml"))) continue;
    try {
      fs.symlinkSync(target, link);
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
  }
  const project = fs.readFileSync(path.join(exampleDir, "Pulumi.yaml"), "utf8")
    .split("\n")
    .map((line) => {
      const match = /^(\s*-?\s*)path:\s*(\S+)\s*$/.exec(line);
      if (!match || path.isAbsolute(match[2])) return line;
      return `${match[1]}path: ${path.resolve(exampleDir, match[2])}`;
    })
    .join("\n");
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), project);
  return workDir;
}

async function run(args) {
  const { exampleDir, op } = args;
  const pkg = JSON.parse(fs.readFileSync(path.join(exampleDir, "package.json"), "utf8"));
  let auto;
  try {
    auto = createRequire(path.join(exampleDir, "package.json"))("@pulumi/pulumi/automation");
  } catch (e) {
    throw new HarnessError(`cannot load @pulumi/pulumi from ${exampleDir}: run \`npm install\` there (${e.message})`);
  }
  const runsProgram = op === "preview" || op === "up";
  if (runsProgram && args.build) build(exampleDir);

  const pulumiCommand = await auto.PulumiCommand.get({ root: pulumiRoot() });
  const ws = await auto.LocalWorkspace.create({ workDir: workspaceDir(exampleDir), program: makeProgram(exampleDir, pkg), pulumiCommand });
  // preview/up create the stack on first use; the other ops need an existing one.
  const stack = runsProgram ? await auto.Stack.createOrSelect(args.stack, ws) : await auto.Stack.select(args.stack, ws);
  for (const [k, v] of args.config) await stack.setConfig(k, { value: v });
  for (const [k, v] of args.secret) await stack.setConfig(k, { value: v, secret: true });

  const common = { onOutput: (s) => process.stderr.write(s), color: "never" };
  const expect = args.expectNoChanges ? { expectNoChanges: true } : {};
  let changes, outputs;
  if (op === "preview") {
    const r = await stack.preview({ ...common, ...expect });
    [changes, outputs] = [changesOf(r.changeSummary), {}];
  } else if (op === "up") {
    const r = await stack.up({ ...common, ...expect });
    [changes, outputs] = [changesOf(r.summary.resourceChanges), outputsOf(r.outputs)];
  } else if (op === "refresh") {
    // The summary of a refresh counts what it found: update = drifted, delete = gone.
    const r = await stack.refresh({ ...common, ...expect });
    [changes, outputs] = [changesOf(r.summary.resourceChanges), outputsOf(await stack.outputs())];
  } else if (op === "destroy") {
    const r = await stack.destroy(common);
    [changes, outputs] = [changesOf(r.summary.resourceChanges), {}];
  } else if (op === "outputs") {
    [changes, outputs] = [changesOf({}), outputsOf(await stack.outputs())];
  } else {
    await ws.removeStack(args.stack, { force: args.force });
    [changes, outputs] = [changesOf({}), {}];
  }
  if (args.expectNoChanges) {
    const changed = Object.entries(changes).filter(([k, n]) => k !== "same" && n);
    if (changed.length) throw new HarnessError(`expected no changes, got ${JSON.stringify(Object.fromEntries(changed))}`);
  }
  return { changes, outputs };
}

// Copies of the @pulumi/pulumi runtime loaded in this process. More than one breaks resource
// registration ("Request message serialization failure"): typically an SDK linked with a
// `file:` dependency resolves its own node_modules. Install it as a copy instead
// (`install-links=true` in the example's .npmrc) so npm dedupes @pulumi/pulumi.
function runtimeCopies() {
  const roots = new Set();
  for (const f of Object.keys(require.cache)) {
    const m = f.match(/^(.*[\\/]node_modules[\\/]@pulumi[\\/]pulumi)[\\/]index\.js$/);
    if (m) roots.add(m[1]);
  }
  return [...roots];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  defaultEnv();
  // The language host runs programs from the project directory.
  process.chdir(args.exampleDir);
  try {
    const res = await run(args);
    process.stdout.write(JSON.stringify({ op: args.op, ...res, result: "succeeded" }) + "\n");
  } catch (err) {
    let text = err instanceof Error ? err.message : String(err);
    const copies = runtimeCopies();
    if (copies.length > 1) {
      text += `\nnoderun: ${copies.length} copies of @pulumi/pulumi were loaded (${copies.join(", ")}); ` +
        "install the SDK with install-links=true (see tests/harness/README.md)";
    }
    process.stderr.write(`noderun: ${args.op} failed:\n${text}\n`);
    process.stdout.write(JSON.stringify({ op: args.op, result: "failed", error: text }) + "\n");
    process.exitCode = 1;
  }
}

main();
