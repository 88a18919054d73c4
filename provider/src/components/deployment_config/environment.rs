//! Which environment of the deployment document a deployment is for: the
//! `environment` input, else `DEPLOYMENT_ENV` (as in the seed), else the
//! stack name.

/// The variable the seed reads the environment from.
pub const DEPLOYMENT_ENV: &str = "DEPLOYMENT_ENV";

/// Where the environment's name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvironmentSource {
    /// The `environment` input.
    Input,
    /// The `DEPLOYMENT_ENV` variable.
    DeploymentEnv,
    /// The Pulumi stack's name.
    StackName,
}

impl EnvironmentSource {
    /// How a message names the source.
    pub fn describe(self) -> &'static str {
        match self {
            EnvironmentSource::Input => "chosen by the `environment` input",
            EnvironmentSource::DeploymentEnv => "chosen by DEPLOYMENT_ENV",
            EnvironmentSource::StackName => "chosen by the stack name",
        }
    }
}

/// An environment's name and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentChoice {
    pub name: String,
    pub source: EnvironmentSource,
}

/// The first of `input`, `deployment_env` and `stack` that is given and not
/// empty.
pub fn choose_environment(
    input: Option<&str>,
    deployment_env: Option<&str>,
    stack: Option<&str>,
) -> Option<EnvironmentChoice> {
    [
        (input, EnvironmentSource::Input),
        (deployment_env, EnvironmentSource::DeploymentEnv),
        (stack, EnvironmentSource::StackName),
    ]
    .into_iter()
    .find_map(|(name, source)| {
        name.map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| EnvironmentChoice {
                name: name.to_owned(),
                source,
            })
    })
}

/// `DEPLOYMENT_ENV` of this process, when set.
pub fn deployment_env_variable() -> Option<String> {
    std::env::var(DEPLOYMENT_ENV).ok()
}
