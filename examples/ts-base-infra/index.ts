// BaseInfra from the seed's deployment-config.json, one Pulumi stack per environment.
//
// Stack config overrides: projectName, enableVersioning, forceDestroy.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as sagemakerDeployment from "@sagemaker-deployment/sdk";

// The config documents sit next to the examples (bin/index.js when compiled, index.ts otherwise).
const projectDir = path.basename(__dirname) === "bin" ? path.dirname(__dirname) : __dirname;
const deployment = JSON.parse(fs.readFileSync(path.join(projectDir, "..", "config", "deployment-config.json"), "utf8"));
const config = new pulumi.Config();
const environment = deployment.environments[pulumi.getStack()] ?? deployment.environments.dev;
const artifacts = deployment.modelArtifacts;

const base = new sagemakerDeployment.BaseInfra("base", {
    projectName: config.get("projectName") || deployment.project.name,
    stage: environment.stage,
    modelArtifacts: {
        s3KeyPrefix: artifacts.s3KeyPrefix,
        enableVersioning: config.getBoolean("enableVersioning") ?? artifacts.enableVersioning,
    },
    forceDestroy: config.getBoolean("forceDestroy") ?? false,
});

export const modelArtifactBucketName = base.modelArtifactBucketName;
export const modelArtifactBucketArn = base.modelArtifactBucketArn;
export const asyncOutputBucketName = base.asyncOutputBucketName;
export const kmsKeyArn = base.kmsKeyArn;
export const kmsKeyAlias = base.kmsKeyAlias;
export const executionRoleArn = base.executionRoleArn;
export const executionRoleName = base.executionRoleName;
