// The seed app for one environment: BaseInfra, the models and an endpoint.
//
// The stack name picks the environment in deployment-config.json (as DEPLOYMENT_ENV did in
// the seed); its `inferenceType` picks the endpoint kind: `realtime` (the default), `async` or
// `serverless`. Stack config overrides:
//
// - inferenceType: realtime | async | serverless
// - modelList: a JSON model list replacing model-config.json's
// - modelS3Key: a new artifact key for the first model (a new model version)
// - modelArtifact: the local artifact of the first model, a directory or a file (default:
//   ../model, relative to this directory); `none` uses the object already at its ModelS3Key
// - variantWeights: JSON object, variant name -> weight
// - endpointName: replaces sageMakerEndpointName
// - autoscaling: JSON autoscaling settings for the endpoint
// - rollout: JSON blue/green rollout policy (real-time and async endpoints)
// - classificationThreshold: replaces modelParameters.inference.thresholds.classification (a new
//   AppConfig version, deployed without touching the endpoint)
// - createNewAppConfig, existingAppConfigAppId, existingAppConfigEnvId, existingAppConfigProfileId:
//   replace the environment's values in deployment-config.json
// - appConfigDeploymentStrategy: a predefined AppConfig deployment strategy
// - appConfigCustomStrategy: JSON settings of a deployment strategy of your own
//   (deploymentDurationInMinutes, growthFactor, finalBakeTimeInMinutes), instead
//
// The model's parameters (model-config.json's `modelParameters`) live in AWS AppConfig: the
// containers get APPCONFIG_APPLICATION_ID, APPCONFIG_ENVIRONMENT_ID and APPCONFIG_PROFILE_ID, and
// the execution role may read exactly that configuration.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as sagemakerDeployment from "@sagemaker-deployment/sdk";

type ModelSpec = sagemakerDeployment.types.input.ModelSpecArgs;

// The config documents sit next to the examples (bin/index.js when compiled, index.ts otherwise).
const projectDir = path.basename(__dirname) === "bin" ? path.dirname(__dirname) : __dirname;
const readConfig = (name: string) => JSON.parse(fs.readFileSync(path.join(projectDir, "..", "config", name), "utf8"));
const deployment = readConfig("deployment-config.json");
const modelConfig = readConfig("model-config.json");
const config = new pulumi.Config();

const environment = deployment.environments[pulumi.getStack()] ?? deployment.environments.dev;
const inferenceType: string = config.get("inferenceType") || environment.inferenceType || "realtime";
// The seed's modelList entries, PascalCase keys and all, are the SDK's ModelSpecArgs as they are.
const modelList: ModelSpec[] = JSON.parse(config.get("modelList") || JSON.stringify(modelConfig.modelList));
const modelS3Key = config.get("modelS3Key");
if (modelS3Key) {
    modelList[0].ModelS3Key = modelS3Key;
}
const variantWeights: Record<string, number> = JSON.parse(config.get("variantWeights") || "{}");
for (const [variant, weight] of Object.entries(variantWeights)) {
    for (const model of modelList) {
        if (model.VariantName === variant) {
            model.VariantWeight = weight;
        }
    }
}
// Relative paths are resolved against the program's directory, where Pulumi runs the program.
const artifact = config.get("modelArtifact") || "../model";
const localArtifacts: Record<string, string> = artifact === "none" ? {} : { [modelList[0].ModelName as string]: artifact };
const endpointName = config.get("endpointName") || `${modelConfig.sageMakerEndpointName}-${environment.stage}`;
const autoscaling = JSON.parse(config.get("autoscaling") || "null") ?? undefined;
const rollout = JSON.parse(config.get("rollout") || "null") ?? undefined;

const base = new sagemakerDeployment.BaseInfra("base", {
    projectName: deployment.project.name,
    stage: environment.stage,
    modelArtifacts: {
        s3KeyPrefix: deployment.modelArtifacts.s3KeyPrefix,
        enableVersioning: deployment.modelArtifacts.enableVersioning,
    },
    forceDestroy: true,
});

const modelParameters = modelConfig.modelParameters;
const threshold = config.getNumber("classificationThreshold");
if (threshold !== undefined) {
    modelParameters.inference.thresholds.classification = threshold;
}
// The parameters as JSON text, so that AppConfig hosts them in the document's key order.
const parameters = new sagemakerDeployment.AppConfig("parameters", {
    projectName: deployment.project.name,
    appConfigSuffix: environment.appConfigSuffix,
    stage: environment.stage,
    modelParameters: JSON.stringify(modelParameters),
    createNewAppConfig: config.getBoolean("createNewAppConfig") ?? environment.createNewAppConfig ?? true,
    existingAppConfigAppId: config.get("existingAppConfigAppId") || environment.existingAppConfigAppId,
    existingAppConfigEnvId: config.get("existingAppConfigEnvId") || environment.existingAppConfigEnvId,
    existingAppConfigProfileId: config.get("existingAppConfigProfileId") || environment.existingAppConfigProfileId,
    deploymentStrategy: config.get("appConfigDeploymentStrategy"),
    customDeploymentStrategy: JSON.parse(config.get("appConfigCustomStrategy") || "null") ?? undefined,
});

const models = new sagemakerDeployment.SageMakerModel("models", {
    modelList,
    executionRoleArn: base.executionRoleArn,
    modelArtifactBucketName: base.modelArtifactBucketName,
    s3KeyPrefix: base.s3KeyPrefix,
    localArtifacts,
    appConfig: {
        applicationId: parameters.applicationId,
        environmentId: parameters.environmentId,
        configurationProfileId: parameters.configurationProfileId,
        configurationArn: parameters.configurationArn,
    },
});

let endpoint:
    | sagemakerDeployment.SageMakerEndpoint
    | sagemakerDeployment.SageMakerAsyncEndpoint
    | sagemakerDeployment.SageMakerServerlessEndpoint;
let asyncEndpoint: sagemakerDeployment.SageMakerAsyncEndpoint | undefined;
if (inferenceType === "serverless") {
    endpoint = new sagemakerDeployment.SageMakerServerlessEndpoint("endpoint", {
        endpointName,
        modelList,
        modelNames: models.modelNames,
        serverlessConfig: environment.serverlessConfig,
    });
} else if (inferenceType === "async") {
    endpoint = asyncEndpoint = new sagemakerDeployment.SageMakerAsyncEndpoint("endpoint", {
        endpointName,
        modelList,
        modelNames: models.modelNames,
        outputBucketName: base.asyncOutputBucketName,
        kmsKeyArn: base.kmsKeyArn,
        executionRoleName: base.executionRoleName,
        asyncConfig: environment.asyncConfig,
        autoscaling,
        rollout,
    });
} else {
    endpoint = new sagemakerDeployment.SageMakerEndpoint("endpoint", {
        endpointName,
        modelList,
        modelNames: models.modelNames,
        kmsKeyArn: base.kmsKeyArn,
        executionRoleName: base.executionRoleName,
        autoscaling,
        rollout,
    });
}

// Stack outputs; the async ones only for an async endpoint.
export = {
    inferenceType,
    modelArtifactBucketName: base.modelArtifactBucketName,
    modelNames: models.modelNames,
    endpointName: endpoint.endpointName,
    endpointArn: endpoint.endpointArn,
    endpointConfigName: endpoint.endpointConfigName,
    appConfigApplicationId: parameters.applicationId,
    appConfigEnvironmentId: parameters.environmentId,
    appConfigProfileId: parameters.configurationProfileId,
    appConfigVersionNumber: parameters.versionNumber,
    appConfigDeploymentNumber: parameters.deploymentNumber,
    ...(asyncEndpoint && {
        outputS3Path: asyncEndpoint.outputS3Path,
        successTopicArn: asyncEndpoint.successTopicArn,
        errorTopicArn: asyncEndpoint.errorTopicArn,
        requestTtlSeconds: asyncEndpoint.requestTtlSeconds,
    }),
};
