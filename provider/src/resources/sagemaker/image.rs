//! Container image URIs: where SageMaker can pull them from.
//!
//! SageMaker hosting pulls a model's image from Amazon ECR in the region the
//! model is created in; an image in another region's registry fails
//! CreateModel ("Amazon SageMaker Developer Guide: Use Your Own Inference
//! Code with Hosting Services": the image must be in the same region as the
//! model; AWS Deep Learning Containers publish one registry per region).

/// The region of the ECR registry `image` lives in, when it is an ECR image:
/// `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>...`.
pub fn ecr_region(image: &str) -> Option<&str> {
    let host = image.split('/').next()?;
    let (account, rest) = host.split_once('.')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest
        .strip_prefix("dkr.ecr.")
        .or_else(|| rest.strip_prefix("dkr.ecr-fips."))?;
    let region = rest
        .strip_suffix(".amazonaws.com")
        .or_else(|| rest.strip_suffix(".amazonaws.com.cn"))?;
    let well_formed = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    well_formed.then_some(region)
}

/// The ARN of the ECR repository `image` is pulled from, when it is an ECR
/// image: what an execution role is granted `ecr:BatchGetImage` and the
/// layer downloads on (the Service Authorization Reference lists the
/// `repository` resource type for them).
pub fn ecr_repository_arn(image: &str) -> Option<String> {
    let region = ecr_region(image)?;
    let (host, path) = image.split_once('/')?;
    let account = host.split('.').next()?;
    // `<repository>[:tag]` or `<repository>@<digest>`; a repository name may
    // hold `/` but never `:` or `@`.
    let repository = path.split(['@', ':']).next().filter(|r| !r.is_empty())?;
    let partition = if host.ends_with(".amazonaws.com.cn") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    Some(format!(
        "arn:{partition}:ecr:{region}:{account}:repository/{repository}"
    ))
}

/// Why SageMaker in `region` cannot pull `image`, or `None` when it can (or
/// when the image is not in ECR, where the region does not apply).
pub fn cross_region_problem(image: &str, region: &str) -> Option<String> {
    let registry_region = ecr_region(image)?;
    if registry_region == region {
        return None;
    }
    let account = image.split('.').next().unwrap_or_default();
    Some(format!(
        "is in the ECR registry of {registry_region}, but this provider deploys to {region}; \
         SageMaker pulls images only from its own region. Use the image's {region} registry \
         (`{account}.dkr.ecr.{region}.amazonaws.com/...`, or replicate the repository there), \
         or set `sagemaker-deployment:region` to {registry_region}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_images_name_their_repository() {
        assert_eq!(
            ecr_repository_arn(
                "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310"
            )
            .as_deref(),
            Some("arn:aws:ecr:us-east-1:763104351884:repository/pytorch-inference")
        );
        assert_eq!(
            ecr_repository_arn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/model@sha256:ab")
                .as_deref(),
            Some("arn:aws:ecr:eu-west-1:123456789012:repository/team/model")
        );
        assert_eq!(
            ecr_repository_arn("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/m").as_deref(),
            Some("arn:aws-cn:ecr:cn-north-1:123456789012:repository/m")
        );
        assert_eq!(ecr_repository_arn("docker.io/library/python:3"), None);
    }

    #[test]
    fn ecr_images_have_the_region_of_their_registry() {
        assert_eq!(
            ecr_region(
                "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310"
            ),
            Some("us-east-1")
        );
        assert_eq!(
            ecr_region("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/m:1"),
            Some("us-gov-west-1")
        );
        assert_eq!(
            ecr_region("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/m"),
            Some("cn-north-1")
        );
    }

    #[test]
    fn other_registries_have_no_region() {
        for image in [
            "public.ecr.aws/lambda/python:3.12",
            "docker.io/library/nginx:latest",
            "nginx",
            "12345.dkr.ecr.us-east-1.amazonaws.com/short-account",
            "123456789012.dkr.ecr..amazonaws.com/empty-region",
        ] {
            assert_eq!(ecr_region(image), None, "{image}");
        }
    }

    #[test]
    fn an_image_of_another_region_names_both_regions_and_the_fix() {
        let image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-cpu-py310";
        assert_eq!(cross_region_problem(image, "us-east-1"), None);
        let problem = cross_region_problem(image, "eu-west-1").unwrap();
        assert!(problem.contains("ECR registry of us-east-1"), "{problem}");
        assert!(problem.contains("deploys to eu-west-1"), "{problem}");
        assert!(
            problem.contains("763104351884.dkr.ecr.eu-west-1.amazonaws.com"),
            "{problem}"
        );
        assert_eq!(cross_region_problem("nginx:latest", "eu-west-1"), None);
    }
}
