// Promote one model version through dev, test and prod, the way a platform team drives stacks.
//
//     node bin/index.js [--appconfig-ids STAGE=APP,ENV,PROFILE ...] [--summary FILE]
//     node bin/index.js --destroy
//
// Each stage is one stack of this project (an Automation API inline program: one Deployment of
// the seed's two documents, ../config/*.json, for that environment). dev deploys the documents
// as they are; test and then prod get the model version dev runs (its `ModelS3Key`s, read from
// the dev stack's outputs), in order. Each stage is previewed, then deployed; the first stage
// that fails stops the promotion, and the stages after it are not run. A summary table (stage,
// result, endpoint, resources, duration) is printed at the end; the exit status is 0 only when
// every stage deployed.
//
// An environment with `createNewAppConfig: false` (prod in the seed's document) deploys into
// existing AppConfig objects: give their ids with `--appconfig-ids prod=APP,ENV,PROFILE` or the
// variables PROD_APPCONFIG_APP_ID, PROD_APPCONFIG_ENV_ID and PROD_APPCONFIG_PROFILE_ID. Without
// them the Deployment refuses the stage at preview, naming the missing settings, and nothing is
// made for it.
//
// AWS credentials, region and endpoints come from the usual AWS environment; the Pulumi backend
// from PULUMI_BACKEND_URL (and the passphrase from PULUMI_CONFIG_PASSPHRASE), as for `pulumi`.

import * as fs from "fs";
import * as path from "path";
import * as auto from "@pulumi/pulumi/automation";
import * as sagemakerDeployment from "@sagemaker-deployment/sdk";

// This directory: bin/index.js runs compiled, index.ts otherwise. It holds Pulumi.yaml, whose
// `plugins.providers` points the engine at the provider.
const projectDir = path.basename(__dirname) === "bin" ? path.dirname(__dirname) : __dirname;
const PROJECT = "automation-ts"; // as in Pulumi.yaml
const STAGES = ["dev", "test", "prod"];
const ID_SETTINGS = ["existingAppConfigAppId", "existingAppConfigEnvId", "existingAppConfigProfileId"];
const ID_VARIABLES = ["APPCONFIG_APP_ID", "APPCONFIG_ENV_ID", "APPCONFIG_PROFILE_ID"];

interface StageResult {
    stage: string;
    /** deployed | refused at preview | failed at up | not run */
    result: string;
    endpoint: string;
    resources: number;
    seconds: number;
    message: string;
}

/** A JSON document, as the seed writes it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Document = any;

function readDocument(name: string): Document {
    return JSON.parse(fs.readFileSync(path.join(projectDir, "..", "config", name), "utf8"));
}

/** The existing AppConfig ids of `stage`: from --appconfig-ids, else the environment. */
function existingIds(stage: string, given: Map<string, string[]>): string[] | undefined {
    const ids = given.get(stage);
    if (ids) {
        return ids;
    }
    const values = ID_VARIABLES.map((name) => process.env[`${stage.toUpperCase()}_${name}`] ?? "");
    return values.every((value) => value !== "") ? values : undefined;
}

/** The documents for one stage: the existing ids filled in, the promoted version pinned. */
function stageDocuments(
    stage: string,
    deploymentConfig: Document,
    modelConfig: Document,
    ids: string[] | undefined,
    version: string[] | undefined,
): [Document, Document] {
    const deployment = structuredClone(deploymentConfig);
    const model = structuredClone(modelConfig);
    const environment = deployment.environments[stage];
    if (ids && environment.createNewAppConfig === false) {
        ID_SETTINGS.forEach((setting, i) => (environment[setting] = ids[i]));
    }
    if (version) {
        model.modelList.forEach((entry: Document, i: number) => {
            if (version[i]) {
                entry.ModelS3Key = version[i];
            }
        });
    }
    return [deployment, model];
}

/** The inline program of one stage: one Deployment and the outputs a user needs. */
function programFor(stage: string, deploymentConfig: Document, modelConfig: Document): auto.PulumiFn {
    return async () => {
        const firstModel: string = modelConfig.modelList[0].ModelName;
        const app = new sagemakerDeployment.Deployment("app", {
            deploymentConfig,
            modelConfig,
            environment: stage,
            localArtifacts: { [firstModel]: path.join(projectDir, "..", "model") },
            forceDestroy: true,
            // The retraining workflow of the environments with enableWorkflow (test and prod): what the
            // documents do not say about it. The others ignore it.
            workflow: {
                training: {
                    image: "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310",
                    hyperparameters: { epochs: "3" },
                },
                evaluation: { metricName: "validation:accuracy" },
            },
        });
        return {
            environment: app.environment,
            inferenceType: app.inferenceType,
            endpointName: app.endpointName,
            endpointArn: app.endpointArn,
            modelNames: app.modelNames,
            modelS3Keys: modelConfig.modelList.map((entry: Document) => entry.ModelS3Key as string),
        };
    };
}

function selectStack(stage: string, program: auto.PulumiFn): Promise<auto.Stack> {
    return auto.LocalWorkspace.createOrSelectStack(
        { stackName: stage, projectName: PROJECT, program },
        { workDir: projectDir },
    );
}

const log = (text: string) => process.stderr.write(text);

/** Why the engine stopped: the documents' problems when it names them, else its error lines. */
function why(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    const raw = text.split("\n").map((line) => line.trim());
    const lines = raw.map((line) => line.replace(/^error:/, "").trim());
    const problems = lines.filter((line) => line.startsWith("deploymentConfig.") || line.startsWith("modelConfig."));
    const errors = raw
        .filter((line) => line.startsWith("error:") && !line.includes("resource monitor shut down"))
        .map((line) => line.replace(/^error:/, "").trim());
    const chosen = problems.length ? problems : errors.length ? errors : [lines[lines.length - 1] ?? text];
    return [...new Set(chosen)].join("; ");
}

/** The resources the stack holds, the stack itself and providers left out. */
async function resourceCount(stack: auto.Stack): Promise<number> {
    const state = await stack.exportStack();
    const resources: { type: string }[] = state.deployment?.resources ?? [];
    return resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).length;
}

async function promote(given: Map<string, string[]>): Promise<StageResult[]> {
    const deploymentConfig = readDocument("deployment-config.json");
    const modelConfig = readDocument("model-config.json");
    const results: StageResult[] = [];
    let version: string[] | undefined;
    for (const stage of STAGES) {
        const blank = { endpoint: "", resources: 0, seconds: 0, message: "" };
        if (results.length && results[results.length - 1].result !== "deployed") {
            results.push({ stage, result: "not run", ...blank });
            continue;
        }
        const started = Date.now();
        const seconds = () => (Date.now() - started) / 1000;
        const [deployment, model] = stageDocuments(stage, deploymentConfig, modelConfig, existingIds(stage, given), version);
        const stack = await selectStack(stage, programFor(stage, deployment, model));
        const common = { onOutput: log, color: "never" as const };
        log(`== ${stage}: preview\n`);
        try {
            await stack.preview(common);
        } catch (error) {
            results.push({ stage, result: "refused at preview", ...blank, resources: await resourceCount(stack), seconds: seconds(), message: why(error) });
            continue;
        }
        log(`== ${stage}: up\n`);
        try {
            const up = await stack.up(common);
            version = up.outputs.modelS3Keys.value as string[];
            results.push({
                stage,
                result: "deployed",
                ...blank,
                endpoint: up.outputs.endpointName.value as string,
                resources: await resourceCount(stack),
                seconds: seconds(),
            });
        } catch (error) {
            results.push({ stage, result: "failed at up", ...blank, resources: await resourceCount(stack), seconds: seconds(), message: why(error) });
        }
    }
    return results;
}

/** Destroys every stage's stack, last stage first, and removes the stacks. */
async function destroy(): Promise<void> {
    for (const stage of [...STAGES].reverse()) {
        let stack: auto.Stack;
        try {
            stack = await auto.LocalWorkspace.selectStack(
                { stackName: stage, projectName: PROJECT, program: async () => ({}) },
                { workDir: projectDir },
            );
        } catch (error) {
            if (error instanceof auto.StackNotFoundError) {
                continue;
            }
            throw error;
        }
        log(`== ${stage}: destroy\n`);
        await stack.destroy({ onOutput: log, color: "never" });
        await stack.workspace.removeStack(stage);
    }
}

function table(results: StageResult[]): string {
    const ran = (r: StageResult) => r.result !== "not run";
    const rows = [["stage", "result", "endpoint", "resources", "duration"]];
    for (const r of results) {
        rows.push([
            r.stage,
            r.result,
            r.endpoint || "-",
            ran(r) ? String(r.resources) : "-",
            ran(r) ? `${r.seconds.toFixed(1)} s` : "-",
        ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
    lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
    for (const r of results) {
        if (r.message) {
            lines.push(`${r.stage}: ${r.message}`);
        }
    }
    return lines.join("\n");
}

function parseArgs(argv: string[]): { ids: Map<string, string[]>; summary?: string; destroy: boolean } {
    const ids = new Map<string, string[]>();
    let summary: string | undefined;
    let destroy = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--destroy") {
            destroy = true;
        } else if (arg === "--summary") {
            summary = argv[++i];
        } else if (arg === "--appconfig-ids") {
            const value = argv[++i] ?? "";
            const [stage, list = ""] = value.split("=", 2);
            const parts = list.split(",");
            if (!STAGES.includes(stage) || parts.length !== 3 || parts.some((p) => !p)) {
                throw new Error(`--appconfig-ids ${value}: expected STAGE=APP,ENV,PROFILE with STAGE one of ${STAGES.join(", ")}`);
            }
            ids.set(stage, parts);
        } else {
            throw new Error(`unknown argument ${arg}`);
        }
    }
    return { ids, summary, destroy };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (args.destroy) {
        await destroy();
        return 0;
    }
    const results = await promote(args.ids);
    console.log(table(results));
    if (args.summary) {
        fs.writeFileSync(args.summary, JSON.stringify(results, null, 2));
    }
    return results.every((r) => r.result === "deployed") ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(2);
    },
);
