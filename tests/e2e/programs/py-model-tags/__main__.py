"""A SageMaker model tagged with its artifact's entity tag (an `s3:BucketObject`
output that a new upload changes, so it is not known while a preview plans
that upload). Stack config: `artifact`, the local file uploaded as the model
artifact."""

import json

import pulumi
import pulumi_sagemaker_deployment as sagemaker_deployment

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.0-cpu-py310"

artifact = pulumi.Config().require("artifact")
trust = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
read = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::preview-truth-artifacts/*"}],
}
role = sagemaker_deployment.iam.Role(
    "role", role_name="preview-truth-role", assume_role_policy=json.dumps(trust), inline_policies={"read": json.dumps(read)}
)
bucket = sagemaker_deployment.s3.Bucket("bucket", bucket_name="preview-truth-artifacts", force_destroy=True)
upload = sagemaker_deployment.s3.BucketObject("artifact", bucket=bucket.bucket_name, key="models/model.tar.gz", source=artifact)
model = sagemaker_deployment.sagemaker.Model(
    "model",
    name_prefix="preview-truth",
    execution_role_arn=role.arn,
    image=IMAGE,
    model_data_url=upload.s3_uri,
    tags={"artifactEtag": upload.etag},
)

pulumi.export("modelName", model.model_name)
pulumi.export("artifactEtag", upload.etag)
