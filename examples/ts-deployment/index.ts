// The seed app for one environment with one Deployment, in TypeScript.
//
// The two documents are the seed's, as they are: ../config/deployment-config.json and
// ../config/model-config.json. The environment is stack config `environment` when set, else
// DEPLOYMENT_ENV, else the stack name (the Deployment picks it, as the seed's `cdk deploy` did).
// The model's artifact is uploaded from ../model.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as sagemakerDeployment from "@sagemaker-deployment/sdk";

// This directory: bin/index.js runs compiled, index.ts otherwise.
const projectDir = path.basename(__dirname) === "bin" ? path.dirname(__dirname) : __dirname;
const readDocument = (name: string) =>
    JSON.parse(fs.readFileSync(path.join(projectDir, "..", "config", name), "utf8"));
const deploymentConfig = readDocument("deployment-config.json");
const modelConfig = readDocument("model-config.json");
const config = new pulumi.Config();

const firstModel: string = modelConfig.modelList[0].ModelName;
const app = new sagemakerDeployment.Deployment("app", {
    deploymentConfig,
    modelConfig,
    environment: config.get("environment"),
    localArtifacts: { [firstModel]: path.join(projectDir, "..", "model") },
    // An example: destroy removes the buckets with their objects.
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

// What a user needs next: where the endpoint is, what kind it is, how to call it.
export const environment = app.environment;
export const region = app.region;
export const inferenceType = app.inferenceType;
export const builtParts = app.builtParts;
export const endpointName = app.endpointName;
export const endpointArn = app.endpointArn;
export const endpointConfigName = app.endpointConfigName;
export const modelNames = app.modelNames;
export const modelArtifactBucketName = app.modelArtifactBucketName;
export const kmsKeyArn = app.kmsKeyArn;
export const executionRoleArn = app.executionRoleArn;
// Asynchronous endpoints: where requests go (InputLocation), where results and failures land,
// the topics that announce them, and the request TTL.
export const asyncInputS3Path = app.asyncInputS3Path;
export const asyncOutputBucketName = app.asyncOutputBucketName;
export const asyncOutputS3Path = app.asyncOutputS3Path;
export const asyncFailureS3Path = app.asyncFailureS3Path;
export const successTopicArn = app.successTopicArn;
export const errorTopicArn = app.errorTopicArn;
export const requestTtlSeconds = app.requestTtlSeconds;
