// A small serverless inference endpoint: the base infrastructure, one model uploaded from
// ./model, and a serverless endpoint serving it.
import * as pulumi from "@pulumi/pulumi";
import * as sagemaker from "@sagemaker-deployment/sdk";

const stage = pulumi.getStack();
const serverless = { memorySize: 2048, maxConcurrency: 2 };
const modelList = [
    {
        ModelName: `team-model-${stage}`,
        ModelS3Key: "models/team-model/v1/model.tar.gz",
        ModelDockerImage: "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310",
        VariantName: "AllTraffic",
        ServerlessConfig: serverless,
    },
];

const base = new sagemaker.BaseInfra("base", { projectName: "team-inference", stage, forceDestroy: true });
const models = new sagemaker.SageMakerModel("models", {
    modelList,
    executionRoleArn: base.executionRoleArn,
    modelArtifactBucketName: base.modelArtifactBucketName,
    s3KeyPrefix: base.s3KeyPrefix,
    localArtifacts: { [modelList[0].ModelName]: "model" },
});
const endpoint = new sagemaker.SageMakerServerlessEndpoint("endpoint", {
    endpointName: `team-inference-${stage}`,
    modelList,
    modelNames: models.modelNames,
    serverlessConfig: serverless,
});

export const endpointName = endpoint.endpointName;
export const endpointArn = endpoint.endpointArn;
export const modelNames = models.modelNames;
export const modelArtifactBucketName = base.modelArtifactBucketName;
