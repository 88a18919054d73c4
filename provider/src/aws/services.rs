//! The one table of AWS services the provider calls.
//!
//! Each row names a service once: its [`Service`] variant, the key under
//! `sagemaker-deployment:endpoints`, the `AWS_ENDPOINT_URL_<SERVICE>`
//! suffix, the SDK crate whose client it uses, and the error codes with
//! which it says "not found". From the table come the [`Service`] enum, the
//! [`Endpoints`] config type (and so its schema), the [`AwsClients`]
//! struct and the not-found classification. Adding a service is one row
//! (plus its SDK crate in `Cargo.toml`); a mistyped service does not compile.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_config::SdkConfig;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::attempts::RecordAttempts;
use super::error::{AwsError, ResultExt};

/// The account the mocked clients of unit tests belong to.
#[cfg(test)]
pub(crate) const MOCK_ACCOUNT: &str = "123456789012";

/// A service client made the first time it is used.
///
/// Building an SDK client reads its endpoint rules and partitions (about a
/// millisecond in an optimised build, several in a debug one); a provider
/// builds one per service at Configure, and the engine holds the first
/// Check and Construct until Configure answers. Most operations use two or
/// three services, and a preview none, so each is built when first needed.
/// Clones share the one client.
#[derive(Clone)]
pub struct LazyClient<C> {
    client: Arc<std::sync::OnceLock<C>>,
    build: Arc<dyn Fn() -> C + Send + Sync>,
}

impl<C> LazyClient<C> {
    /// A client that `build` makes on first use.
    fn new(build: impl Fn() -> C + Send + Sync + 'static) -> Self {
        LazyClient {
            client: Arc::new(std::sync::OnceLock::new()),
            build: Arc::new(build),
        }
    }

    /// A client already built (the mocked clients of unit tests).
    #[cfg(test)]
    fn ready(client: C) -> Self
    where
        C: Clone + Send + Sync + 'static,
    {
        let built = std::sync::OnceLock::new();
        let _ = built.set(client.clone());
        LazyClient {
            client: Arc::new(built),
            build: Arc::new(move || client.clone()),
        }
    }
}

impl<C> std::ops::Deref for LazyClient<C> {
    type Target = C;

    fn deref(&self) -> &C {
        self.client.get_or_init(|| (self.build)())
    }
}

impl<C: std::fmt::Debug> std::fmt::Debug for LazyClient<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.client.get() {
            Some(client) => client.fmt(f),
            None => f.write_str("LazyClient(not built yet)"),
        }
    }
}

/// Declares the service table. Each row:
///
/// ```text
/// Variant {
///     title: "Human name",          // in docs and the schema
///     name: "error-name",           // in error messages and logs
///     endpoint: config_key,         // key under sagemaker-deployment:endpoints
///     env: "ENV_SUFFIX",            // AWS_ENDPOINT_URL_<ENV_SUFFIX>
///     iam_prefix: "prefix",         // of its IAM actions, e.g. `s3:CreateBucket`
///     client: field: sdk_crate,     // field of AwsClients, and its crate
///     not_found: ["Code", ...],     // error codes meaning "no such object"
///     not_found_when_invalid: [..], // ValidationException messages meaning the same
/// }
/// ```
macro_rules! aws_services {
    ($(
        $variant:ident {
            title: $title:literal,
            name: $name:literal,
            endpoint: $endpoint:ident,
            env: $env:literal,
            iam_prefix: $iam:literal,
            client: $client:ident: $sdk:ident,
            not_found: [$($code:literal),* $(,)?],
            not_found_when_invalid: [$($message:literal),* $(,)?] $(,)?
        }
    ),* $(,)?) => {
        /// An AWS service the provider calls.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Service {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl Service {
            /// Every service, in table order.
            pub const ALL: &'static [Service] = &[$(Service::$variant),*];

            /// The name used in error messages, e.g. `s3 CreateBucket failed`.
            pub fn name(self) -> &'static str {
                match self { $(Service::$variant => $name,)* }
            }

            /// The service's human name, e.g. `Amazon S3`.
            pub fn title(self) -> &'static str {
                match self { $(Service::$variant => $title,)* }
            }

            /// The key of this service under `sagemaker-deployment:endpoints`.
            pub fn endpoint_key(self) -> &'static str {
                match self { $(Service::$variant => stringify!($endpoint),)* }
            }

            /// The service-specific endpoint variable the AWS SDKs read.
            pub fn endpoint_env_var(self) -> &'static str {
                match self { $(Service::$variant => concat!("AWS_ENDPOINT_URL_", $env),)* }
            }

            /// The field of [`AwsClients`] that holds this service's client,
            /// e.g. `autoscaling`.
            pub fn client_field(self) -> &'static str {
                match self { $(Service::$variant => stringify!($client),)* }
            }

            /// The prefix of the service's IAM actions, e.g. `application-autoscaling`.
            pub fn iam_prefix(self) -> &'static str {
                match self { $(Service::$variant => $iam,)* }
            }

            /// Error codes with which the service says an object does not exist.
            pub fn not_found_codes(self) -> &'static [&'static str] {
                match self { $(Service::$variant => &[$($code),*],)* }
            }

            /// Fragments of a `ValidationException` message that mean "not
            /// found" (SageMaker reports missing objects this way).
            pub fn not_found_validation_messages(self) -> &'static [&'static str] {
                match self { $(Service::$variant => &[$($message),*],)* }
            }
        }

        impl std::fmt::Display for Service {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }

        /// Per-service endpoint URL overrides, e.g. to use a local emulator.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct Endpoints {
            $(
                #[doc = concat!("Endpoint URL for ", $title, ".")]
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $endpoint: Option<String>,
            )*
        }

        impl Endpoints {
            /// The URL configured for `service`, if any.
            pub fn get(&self, service: Service) -> Option<&str> {
                match service { $(Service::$variant => self.$endpoint.as_deref(),)* }
            }
        }

        /// The AWS clients every resource shares, one per service, built
        /// once at Configure from the provider's AWS configuration.
        #[derive(Debug, Clone)]
        pub struct AwsClients {
            $(
                #[doc = concat!("The ", $title, " client, built at its first use.")]
                pub $client: LazyClient<$sdk::Client>,
            )*
            /// The region the clients talk to.
            pub region: String,
            /// Tags added to every object created.
            pub default_tags: BTreeMap<String, String>,
            /// The account the credentials belong to, asked for once.
            account: Arc<OnceCell<String>>,
            /// The configuration the clients were built from.
            pub settings: super::clients::ProviderConfig,
        }

        impl AwsClients {
            /// Builds every client from the shared configuration, each with
            /// the endpoint `endpoint_of` resolves for it.
            pub(crate) fn from_shared(
                shared: &SdkConfig,
                endpoint_of: impl Fn(Service) -> Option<String>,
                default_tags: BTreeMap<String, String>,
            ) -> Self {
                AwsClients {
                    $(
                        $client: {
                            let endpoint = endpoint_of(Service::$variant);
                            let shared = shared.clone();
                            LazyClient::new(move || {
                                let builder = $sdk::config::Builder::from(&shared)
                                    .interceptor(RecordAttempts);
                                let builder = ServiceTuning::tune(builder, endpoint.is_some());
                                let builder = match &endpoint {
                                    Some(url) => builder.endpoint_url(url),
                                    None => builder,
                                };
                                $sdk::Client::from_conf(builder.build())
                            })
                        },
                    )*
                    region: shared
                        .region()
                        .map(|region| region.to_string())
                        .unwrap_or_else(|| "us-east-1".to_owned()),
                    default_tags,
                    account: Arc::new(OnceCell::new()),
                    settings: Default::default(),
                }
            }

            /// Clients that answer from `rules` instead of calling AWS; an
            /// operation no rule matches fails the test. An error answer is
            /// final, not retried with backoff.
            #[cfg(test)]
            pub(crate) fn mocked(rules: &[&aws_smithy_mocks::Rule]) -> Self {
                Self::mocked_with_retries(
                    rules,
                    aws_config::retry::RetryConfig::disabled(),
                )
            }

            /// As [`AwsClients::mocked`], retrying as `retry_config` says.
            #[cfg(test)]
            pub(crate) fn mocked_with_retries(
                rules: &[&aws_smithy_mocks::Rule],
                retry_config: aws_config::retry::RetryConfig,
            ) -> Self {
                use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, create_mock_http_client};
                let interceptor = || {
                    rules.iter().fold(
                        MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
                        |interceptor, rule| interceptor.with_rule(rule),
                    )
                };
                AwsClients {
                    $(
                        $client: LazyClient::ready($sdk::Client::from_conf(
                            $sdk::Config::builder()
                                .behavior_version($sdk::config::BehaviorVersion::latest())
                                .region($sdk::config::Region::new("us-east-1"))
                                .credentials_provider($sdk::config::Credentials::new(
                                    "key", "secret", None, None, "unit-test",
                                ))
                                .http_client(create_mock_http_client())
                                .interceptor(interceptor())
                                .interceptor(RecordAttempts)
                                .retry_config(retry_config.clone())
                                .build(),
                        )),
                    )*
                    region: "us-east-1".to_owned(),
                    default_tags: BTreeMap::new(),
                    account: Arc::new(OnceCell::new_with(Some(MOCK_ACCOUNT.to_owned()))),
                    settings: Default::default(),
                }
            }
        }
    };
}

aws_services! {
    S3 {
        title: "Amazon S3",
        name: "s3",
        endpoint: s3,
        env: "S3",
        iam_prefix: "s3",
        client: s3: aws_sdk_s3,
        // The last two say a bucket has no encryption configuration or no
        // policy: "absent", as a read of that setting should report it.
        not_found: [
            "NoSuchBucket",
            "NoSuchKey",
            "NotFound",
            "NoSuchBucketPolicy",
            "ServerSideEncryptionConfigurationNotFoundError",
        ],
        not_found_when_invalid: [],
    },
    Kms {
        title: "AWS KMS",
        name: "kms",
        endpoint: kms,
        env: "KMS",
        iam_prefix: "kms",
        client: kms: aws_sdk_kms,
        not_found: ["NotFoundException"],
        not_found_when_invalid: [],
    },
    Iam {
        title: "AWS IAM",
        name: "iam",
        endpoint: iam,
        env: "IAM",
        iam_prefix: "iam",
        client: iam: aws_sdk_iam,
        not_found: ["NoSuchEntity"],
        not_found_when_invalid: [],
    },
    SageMaker {
        title: "Amazon SageMaker",
        name: "sagemaker",
        endpoint: sagemaker,
        env: "SAGEMAKER",
        iam_prefix: "sagemaker",
        client: sagemaker: aws_sdk_sagemaker,
        not_found: ["ResourceNotFound"],
        // DescribeEndpoint and friends answer a missing object with
        // `ValidationException: Could not find endpoint "..."`.
        not_found_when_invalid: ["Could not find", "does not exist"],
    },
    ApplicationAutoScaling {
        title: "Application Auto Scaling",
        name: "application-autoscaling",
        endpoint: applicationautoscaling,
        env: "APPLICATION_AUTO_SCALING",
        iam_prefix: "application-autoscaling",
        client: autoscaling: aws_sdk_applicationautoscaling,
        not_found: ["ObjectNotFoundException"],
        not_found_when_invalid: [],
    },
    Sns {
        title: "Amazon SNS",
        name: "sns",
        endpoint: sns,
        env: "SNS",
        iam_prefix: "sns",
        client: sns: aws_sdk_sns,
        not_found: ["NotFound", "NotFoundException"],
        not_found_when_invalid: [],
    },
    CloudWatch {
        title: "Amazon CloudWatch",
        name: "cloudwatch",
        endpoint: cloudwatch,
        env: "CLOUDWATCH",
        iam_prefix: "cloudwatch",
        client: cloudwatch: aws_sdk_cloudwatch,
        not_found: ["ResourceNotFound", "ResourceNotFoundException"],
        not_found_when_invalid: [],
    },
    StepFunctions {
        title: "AWS Step Functions",
        name: "sfn",
        endpoint: sfn,
        env: "SFN",
        iam_prefix: "states",
        client: sfn: aws_sdk_sfn,
        // DescribeStateMachine answers a deleted machine with
        // StateMachineDoesNotExist.
        not_found: ["StateMachineDoesNotExist", "ResourceNotFound"],
        not_found_when_invalid: [],
    },
    CloudWatchLogs {
        title: "Amazon CloudWatch Logs",
        name: "logs",
        endpoint: cloudwatchlogs,
        env: "CLOUDWATCH_LOGS",
        iam_prefix: "logs",
        client: logs: aws_sdk_cloudwatchlogs,
        not_found: ["ResourceNotFoundException"],
        not_found_when_invalid: [],
    },
    EventBridge {
        title: "Amazon EventBridge",
        name: "events",
        endpoint: eventbridge,
        env: "EVENTBRIDGE",
        iam_prefix: "events",
        client: events: aws_sdk_eventbridge,
        not_found: ["ResourceNotFoundException"],
        not_found_when_invalid: [],
    },
    AppConfig {
        title: "AWS AppConfig",
        name: "appconfig",
        endpoint: appconfig,
        env: "APPCONFIG",
        iam_prefix: "appconfig",
        client: appconfig: aws_sdk_appconfig,
        not_found: ["ResourceNotFoundException"],
        not_found_when_invalid: [],
    },
    // AppConfig's data plane, where applications read what is deployed;
    // its calls are authorized as `appconfig:` actions.
    AppConfigData {
        title: "AWS AppConfig Data",
        name: "appconfigdata",
        endpoint: appconfigdata,
        env: "APPCONFIGDATA",
        iam_prefix: "appconfig",
        client: appconfigdata: aws_sdk_appconfigdata,
        not_found: ["ResourceNotFoundException"],
        not_found_when_invalid: [],
    },
    Sts {
        title: "AWS STS",
        name: "sts",
        endpoint: sts,
        env: "STS",
        iam_prefix: "sts",
        client: sts: aws_sdk_sts,
        // STS reads no objects; a missing caller is an authentication error.
        not_found: ["NoSuchEntity"],
        not_found_when_invalid: [],
    },
}

impl AwsClients {
    /// The AWS account the provider's credentials belong to (STS
    /// GetCallerIdentity, which needs no permission), asked for once.
    pub async fn account_id(&self) -> Result<String, AwsError> {
        self.account
            .get_or_try_init(|| caller_account(self))
            .await
            .cloned()
    }
}

/// The account of the caller, as STS answers it.
async fn caller_account(clients: &AwsClients) -> Result<String, AwsError> {
    let identity = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .aws(Service::Sts, "GetCallerIdentity")?;
    Ok(identity.account().unwrap_or_default().to_owned())
}

/// Service-specific settings applied to a client's config builder; the
/// default applies none.
trait ServiceTuning: Sized {
    /// Adjusts the builder; `custom_endpoint` says an override is in use.
    fn tune(self, _custom_endpoint: bool) -> Self {
        self
    }
}

/// Emulators and S3-compatible stores serve buckets by path, not by
/// virtual host, so a custom S3 endpoint switches to path-style addressing.
impl ServiceTuning for aws_sdk_s3::config::Builder {
    fn tune(self, custom_endpoint: bool) -> Self {
        self.force_path_style(custom_endpoint)
    }
}

impl ServiceTuning for aws_sdk_kms::config::Builder {}
impl ServiceTuning for aws_sdk_iam::config::Builder {}
impl ServiceTuning for aws_sdk_sagemaker::config::Builder {}
impl ServiceTuning for aws_sdk_applicationautoscaling::config::Builder {}
impl ServiceTuning for aws_sdk_sns::config::Builder {}
impl ServiceTuning for aws_sdk_cloudwatch::config::Builder {}
impl ServiceTuning for aws_sdk_sts::config::Builder {}
impl ServiceTuning for aws_sdk_sfn::config::Builder {}
impl ServiceTuning for aws_sdk_cloudwatchlogs::config::Builder {}
impl ServiceTuning for aws_sdk_eventbridge::config::Builder {}
impl ServiceTuning for aws_sdk_appconfig::config::Builder {}
impl ServiceTuning for aws_sdk_appconfigdata::config::Builder {}

/// The endpoint URL for `service`, first found of: the provider's
/// `endpoints` config, `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`.
/// The variables are ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is
/// `true`, as the AWS SDKs do. `env` reads a variable (the process
/// environment in production).
pub fn endpoint_url(
    service: Service,
    configured: &Endpoints,
    env: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    if let Some(url) = configured.get(service) {
        return Some(url.to_owned());
    }
    let ignore = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|value| value.eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    env(service.endpoint_env_var())
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .filter(|url| !url.is_empty())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn config_wins_over_the_service_variable_which_wins_over_the_global_one() {
        let configured = Endpoints {
            sagemaker: Some("http://config:1".into()),
            ..Endpoints::default()
        };
        let env = env_of(&[
            ("AWS_ENDPOINT_URL", "http://global:3"),
            ("AWS_ENDPOINT_URL_SAGEMAKER", "http://sagemaker-var:2"),
            ("AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING", "http://aas:4"),
        ]);
        assert_eq!(
            endpoint_url(Service::SageMaker, &configured, &env).as_deref(),
            Some("http://config:1")
        );
        assert_eq!(
            endpoint_url(Service::ApplicationAutoScaling, &configured, &env).as_deref(),
            Some("http://aas:4")
        );
        assert_eq!(
            endpoint_url(Service::Kms, &configured, &env).as_deref(),
            Some("http://global:3")
        );
        assert_eq!(
            endpoint_url(Service::Kms, &Endpoints::default(), env_of(&[])),
            None
        );
    }

    #[test]
    fn the_ignore_variable_silences_the_environment_but_not_the_config() {
        let configured = Endpoints {
            s3: Some("http://config:1".into()),
            ..Endpoints::default()
        };
        let env = env_of(&[
            ("AWS_ENDPOINT_URL", "http://global:3"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]);
        assert_eq!(endpoint_url(Service::Iam, &configured, &env), None);
        assert_eq!(
            endpoint_url(Service::S3, &configured, &env).as_deref(),
            Some("http://config:1")
        );
    }

    #[test]
    fn every_row_has_its_own_names_and_an_endpoint_field() {
        let unique = |values: Vec<&str>| values.iter().collect::<BTreeSet<_>>().len();
        let n = Service::ALL.len();
        assert_eq!(unique(Service::ALL.iter().map(|s| s.name()).collect()), n);
        assert_eq!(
            unique(Service::ALL.iter().map(|s| s.endpoint_key()).collect()),
            n
        );
        assert_eq!(
            unique(Service::ALL.iter().map(|s| s.endpoint_env_var()).collect()),
            n
        );
        assert_eq!(
            unique(Service::ALL.iter().map(|s| s.client_field()).collect()),
            n
        );
        // The config schema has exactly one endpoint field per service.
        let schema = serde_json::to_value(schemars::schema_for!(Endpoints)).unwrap();
        let fields: BTreeSet<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let keys: BTreeSet<&str> = Service::ALL.iter().map(|s| s.endpoint_key()).collect();
        assert_eq!(fields, keys);
        for service in Service::ALL {
            assert!(
                !service.not_found_codes().is_empty(),
                "{service} has no not-found code"
            );
        }
    }

    #[test]
    fn an_unknown_endpoint_key_is_refused() {
        let error = serde_json::from_str::<Endpoints>(r#"{"sagemakr": "http://x"}"#).unwrap_err();
        assert!(error.to_string().contains("sagemakr"), "{error}");
    }
}
