// The seed app for one environment with one Deployment, in Go.
//
// The two documents are the seed's, as they are: ../config/deployment-config.json and
// ../config/model-config.json. The environment is stack config `environment` when set, else
// DEPLOYMENT_ENV, else the stack name (the Deployment picks it, as the seed's `cdk deploy`
// did). The model's artifact is uploaded from ../model. Pulumi runs the program in this
// directory.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	sagemakerdeployment "github.com/sagemaker-deployment/sagemaker-deployment/sdk/go/sagemakerdeployment"
)

// readDocument reads one of the seed's documents from ../config.
func readDocument(dir, name string) (map[string]interface{}, error) {
	text, err := os.ReadFile(filepath.Join(dir, "..", "config", name))
	if err != nil {
		return nil, err
	}
	var document map[string]interface{}
	if err := json.Unmarshal(text, &document); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return document, nil
}

// firstModelName is the ModelName of the first modelList entry.
func firstModelName(modelConfig map[string]interface{}) (string, error) {
	models, _ := modelConfig["modelList"].([]interface{})
	if len(models) == 0 {
		return "", fmt.Errorf("model-config.json: modelList is empty")
	}
	first, _ := models[0].(map[string]interface{})
	name, _ := first["ModelName"].(string)
	return name, nil
}

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		dir, err := os.Getwd()
		if err != nil {
			return err
		}
		deploymentConfig, err := readDocument(dir, "deployment-config.json")
		if err != nil {
			return err
		}
		modelConfig, err := readDocument(dir, "model-config.json")
		if err != nil {
			return err
		}
		firstModel, err := firstModelName(modelConfig)
		if err != nil {
			return err
		}
		var environment pulumi.StringPtrInput
		if name := config.Get(ctx, "environment"); name != "" {
			environment = pulumi.StringPtr(name)
		}
		app, err := sagemakerdeployment.NewDeployment(ctx, "app", &sagemakerdeployment.DeploymentArgs{
			DeploymentConfig: pulumi.Any(deploymentConfig),
			ModelConfig:      pulumi.Any(modelConfig),
			Environment:      environment,
			LocalArtifacts: pulumi.StringMap{
				firstModel: pulumi.String(filepath.Join(dir, "..", "model")),
			},
			// An example: destroy removes the buckets with their objects.
			ForceDestroy: pulumi.Bool(true),
			// The retraining workflow of the environments with enableWorkflow (test and prod):
			// what the documents do not say about it. The others ignore it.
			Workflow: &sagemakerdeployment.WorkflowSettingsArgs{
				Training: &sagemakerdeployment.WorkflowTrainingArgs{
					Image:           pulumi.String("763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.0.0-cpu-py310"),
					Hyperparameters: pulumi.StringMap{"epochs": pulumi.String("3")},
				},
				Evaluation: &sagemakerdeployment.EvaluationArgsArgs{MetricName: pulumi.String("validation:accuracy")},
			},
		})
		if err != nil {
			return err
		}

		// What a user needs next: where the endpoint is, what kind it is, how to call it.
		ctx.Export("environment", app.Environment)
		ctx.Export("region", app.Region)
		ctx.Export("inferenceType", app.InferenceType)
		ctx.Export("builtParts", app.BuiltParts)
		ctx.Export("endpointName", app.EndpointName)
		ctx.Export("endpointArn", app.EndpointArn)
		ctx.Export("endpointConfigName", app.EndpointConfigName)
		ctx.Export("modelNames", app.ModelNames)
		ctx.Export("modelArtifactBucketName", app.ModelArtifactBucketName)
		ctx.Export("kmsKeyArn", app.KmsKeyArn)
		ctx.Export("executionRoleArn", app.ExecutionRoleArn)
		// Asynchronous endpoints: where requests go (InputLocation), where results and
		// failures land, the topics that announce them, and the request TTL.
		ctx.Export("asyncInputS3Path", app.AsyncInputS3Path)
		ctx.Export("asyncOutputBucketName", app.AsyncOutputBucketName)
		ctx.Export("asyncOutputS3Path", app.AsyncOutputS3Path)
		ctx.Export("asyncFailureS3Path", app.AsyncFailureS3Path)
		ctx.Export("successTopicArn", app.SuccessTopicArn)
		ctx.Export("errorTopicArn", app.ErrorTopicArn)
		ctx.Export("requestTtlSeconds", app.RequestTtlSeconds)
		return nil
	})
}
