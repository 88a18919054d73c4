// Deploys machine-learning models on Amazon SageMaker: base infrastructure, models, real-time, asynchronous and serverless endpoints with verified rollouts.
package sagemakerdeployment
