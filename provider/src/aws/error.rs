//! Classification of AWS errors: every service says "not found", "slow down"
//! or "already exists" in its own words; this module maps them to one kind.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::Service;
use super::attempts::{Attempts, cause_of, unanswered_in};

/// What an AWS error means to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsErrorKind {
    /// The object does not exist (any more).
    NotFound,
    /// AWS asked us to slow down; the SDK already retried.
    Throttled,
    /// The object exists already, or is busy with another change.
    Conflict,
    /// AWS rejected the request's content.
    Validation,
    /// The credentials lack a permission.
    AccessDenied,
    /// AWS failed to handle the request (an HTTP 5xx answer); the SDK
    /// already retried.
    ServiceFailure,
    /// No answer came: the connection failed or timed out on every attempt.
    /// The request may or may not have taken effect.
    Unanswered,
    /// The object to create exists already.
    AlreadyExists,
    /// Anything else: unexpected responses, errors building the request.
    Other,
}

/// An AWS call that failed, with the service and operation it belongs to
/// and, when the SDK retried it, how many attempts it made.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{service} {operation} failed{}: {message}{}",
    self.attempts_text(),
    code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()
)]
pub struct AwsError {
    /// The service that refused the call.
    pub service: Service,
    /// The API operation, e.g. `CreateBucket`.
    pub operation: &'static str,
    /// What the error means to the provider.
    pub kind: AwsErrorKind,
    /// AWS's error code, when the service sent one.
    pub code: Option<String>,
    /// AWS's message, or what went wrong on the way.
    pub message: String,
    /// The attempts the SDK made, the first included, when known.
    pub attempts: Option<u32>,
    /// The attempts that got no answer (connection failure or timeout);
    /// each may have taken effect all the same.
    pub unanswered: u32,
}

impl AwsError {
    /// True when the error says the object is gone.
    pub fn is_not_found(&self) -> bool {
        self.kind == AwsErrorKind::NotFound
    }

    /// True when the SDK retries errors of this kind: another attempt
    /// later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            AwsErrorKind::Throttled | AwsErrorKind::ServiceFailure | AwsErrorKind::Unanswered
        )
    }

    /// True when an attempt of the request got no answer: the request may
    /// have taken effect although it failed in the end.
    pub fn may_have_taken_effect(&self) -> bool {
        self.unanswered > 0
    }

    /// True when this error of a create may hide a create that took
    /// effect: an attempt got no answer, and then the object existed
    /// already or no answer came at all.
    pub fn may_hide_a_create(&self) -> bool {
        self.may_have_taken_effect()
            && matches!(
                self.kind,
                AwsErrorKind::AlreadyExists | AwsErrorKind::Unanswered
            )
    }

    /// ` after N attempts` when the SDK retried, or could have.
    fn attempts_text(&self) -> String {
        match self.attempts {
            Some(n) if n > 1 => format!(" after {n} attempts"),
            Some(n) if self.is_transient() => format!(" after {n} attempt"),
            _ => String::new(),
        }
    }
}

impl From<AwsError> for framework::ProviderError {
    fn from(error: AwsError) -> Self {
        framework::ProviderError::Service(Box::new(error))
    }
}

/// Classifies an SDK error from `service`'s `operation`.
pub fn classify<E>(
    service: Service,
    operation: &'static str,
    error: SdkError<E, HttpResponse>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message, status, counted) = match &error {
        SdkError::ServiceError(context) => {
            let raw = context.raw();
            let message = context
                .err()
                .message()
                .filter(|message| !message.is_empty())
                .map(str::to_owned)
                .unwrap_or_else(|| cause_of(context.err()));
            (
                context.err().code().map(str::to_owned),
                message,
                Some(raw.status().as_u16()),
                raw.extension::<Attempts>().copied(),
            )
        }
        SdkError::ResponseError(context) => (
            None,
            cause_of(&error),
            Some(context.raw().status().as_u16()),
            context.raw().extension::<Attempts>().copied(),
        ),
        _ => match unanswered_in(&error) {
            Some(unanswered) => (
                None,
                format!("no answer from AWS: {}", unanswered.cause),
                None,
                Some(Attempts {
                    made: unanswered.attempts,
                    unanswered: unanswered.attempts,
                }),
            ),
            None => (None, cause_of(&error), None, None),
        },
    };
    let kind = if unanswered_in(&error).is_some() {
        AwsErrorKind::Unanswered
    } else {
        kind_of(service, code.as_deref(), &message, status)
    };
    AwsError {
        service,
        operation,
        kind,
        code,
        message,
        attempts: counted.map(|a| a.made),
        unanswered: counted.map_or(0, |a| a.unanswered),
    }
}

fn kind_of(
    service: Service,
    code: Option<&str>,
    message: &str,
    status: Option<u16>,
) -> AwsErrorKind {
    let code = code.unwrap_or_default();
    let not_found = service.not_found_codes().contains(&code)
        || (code == "ValidationException"
            && service
                .not_found_validation_messages()
                .iter()
                .any(|fragment| message.contains(fragment)));
    if not_found || (code.is_empty() && status == Some(404)) {
        return AwsErrorKind::NotFound;
    }
    // SageMaker says so in a ValidationException: `Cannot create already
    // existing model "arn:..."`.
    if code == "ValidationException" && message.contains("Cannot create already existing") {
        return AwsErrorKind::AlreadyExists;
    }
    match code {
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "SlowDown"
        | "RequestThrottled" => AwsErrorKind::Throttled,
        "ResourceInUse" | "ConflictException" | "ConcurrentUpdateException" => {
            AwsErrorKind::Conflict
        }
        "BucketAlreadyOwnedByYou"
        | "BucketAlreadyExists"
        | "EntityAlreadyExists"
        | "AlreadyExistsException" => AwsErrorKind::AlreadyExists,
        "ValidationException"
        | "ValidationError"
        | "InvalidParameterValue"
        | "InvalidParameterException"
        | "MalformedPolicyDocument"
        | "InvalidRequest"
        | "InvalidArgument"
        | "MalformedPolicy" => AwsErrorKind::Validation,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            AwsErrorKind::AccessDenied
        }
        // Quota errors (e.g. SageMaker's `ResourceLimitExceeded`) are not
        // conflicts: waiting for another change to finish does not help.
        _ if status.is_some_and(|status| status >= 500) => AwsErrorKind::ServiceFailure,
        _ => AwsErrorKind::Other,
    }
}

/// `.aws(Service::S3, "CreateBucket")?` on any SDK result.
pub trait ResultExt<T> {
    /// Classifies the error of `service`'s `operation`, if there is one.
    fn aws(self, service: Service, operation: &'static str) -> Result<T, AwsError>;
}

impl<T, E> ResultExt<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    fn aws(self, service: Service, operation: &'static str) -> Result<T, AwsError> {
        self.map_err(|error| classify(service, operation, error))
    }
}

/// `.or_gone()` on an AWS result: "not found" becomes `Ok(None)`, for reads
/// that may find nothing and deletes of what may already be gone.
pub trait OrGone<T> {
    /// `Ok(None)` for "not found", `Ok(Some(value))` for success, and
    /// every other error unchanged.
    fn or_gone(self) -> Result<Option<T>, AwsError>;
}

impl<T> OrGone<T> for Result<T, AwsError> {
    fn or_gone(self) -> Result<Option<T>, AwsError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sagemaker_says_gone_with_a_validation_exception() {
        let kind = kind_of(
            Service::SageMaker,
            Some("ValidationException"),
            "Could not find endpoint \"arn:aws:sagemaker:us-east-1:1:endpoint/x\".",
            None,
        );
        assert_eq!(kind, AwsErrorKind::NotFound);
        let kind = kind_of(
            Service::SageMaker,
            Some("ValidationException"),
            "Invalid name",
            None,
        );
        assert_eq!(kind, AwsErrorKind::Validation);
    }

    #[test]
    fn each_service_names_not_found_its_own_way() {
        assert_eq!(
            kind_of(Service::S3, Some("NoSuchBucket"), "", None),
            AwsErrorKind::NotFound
        );
        assert_eq!(
            kind_of(Service::Kms, Some("NotFoundException"), "", None),
            AwsErrorKind::NotFound
        );
        assert_eq!(
            kind_of(Service::Iam, Some("NoSuchEntity"), "", None),
            AwsErrorKind::NotFound
        );
        assert_eq!(
            kind_of(
                Service::ApplicationAutoScaling,
                Some("ObjectNotFoundException"),
                "",
                None
            ),
            AwsErrorKind::NotFound
        );
        assert_eq!(
            kind_of(Service::S3, None, "", Some(404)),
            AwsErrorKind::NotFound
        );
    }

    #[test]
    fn throttling_and_conflicts_are_recognised() {
        assert_eq!(
            kind_of(Service::SageMaker, Some("ThrottlingException"), "", None),
            AwsErrorKind::Throttled
        );
        assert_eq!(
            kind_of(Service::Iam, Some("EntityAlreadyExists"), "", None),
            AwsErrorKind::AlreadyExists
        );
        assert_eq!(
            kind_of(
                Service::SageMaker,
                Some("ValidationException"),
                "Cannot create already existing model \"arn:aws:sagemaker:us-east-1:1:model/m\".",
                None
            ),
            AwsErrorKind::AlreadyExists
        );
        assert_eq!(
            kind_of(Service::Kms, Some("Boom"), "", None),
            AwsErrorKind::Other
        );
    }

    #[test]
    fn a_quota_error_is_not_a_conflict() {
        assert_eq!(
            kind_of(
                Service::SageMaker,
                Some("ResourceLimitExceeded"),
                "The account-level service limit 'ml.g5.xlarge for endpoint usage' is 2 Instances",
                None
            ),
            AwsErrorKind::Other
        );
        assert_eq!(
            kind_of(Service::SageMaker, Some("ResourceInUse"), "", None),
            AwsErrorKind::Conflict
        );
    }

    #[test]
    fn absent_bucket_settings_read_as_not_found_and_denials_do_not() {
        for code in [
            "NoSuchBucketPolicy",
            "ServerSideEncryptionConfigurationNotFoundError",
        ] {
            assert_eq!(
                kind_of(Service::S3, Some(code), "", Some(404)),
                AwsErrorKind::NotFound,
                "{code}"
            );
        }
        assert_eq!(
            kind_of(Service::S3, Some("AccessDenied"), "", None),
            AwsErrorKind::AccessDenied
        );
        assert_eq!(
            kind_of(Service::S3, Some("SlowDown"), "", None),
            AwsErrorKind::Throttled
        );
    }

    #[test]
    fn or_gone_turns_only_not_found_into_none() {
        let error = |kind| AwsError {
            service: Service::S3,
            operation: "GetBucketPolicy",
            kind,
            code: None,
            message: String::new(),
            attempts: None,
            unanswered: 0,
        };
        assert_eq!(Ok::<u8, AwsError>(1).or_gone().unwrap(), Some(1));
        assert_eq!(
            Err::<u8, AwsError>(error(AwsErrorKind::NotFound))
                .or_gone()
                .unwrap(),
            None
        );
        let denied = Err::<u8, AwsError>(error(AwsErrorKind::AccessDenied)).or_gone();
        assert_eq!(denied.unwrap_err().kind, AwsErrorKind::AccessDenied);
    }
}
