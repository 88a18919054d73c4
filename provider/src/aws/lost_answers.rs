//! Requests whose answer was lost on the way back.
//!
//! A connection that breaks after AWS applied a request leaves the SDK
//! without an answer; it sends the request again, and a create then meets
//! the object its own first attempt made ("already exists"), or every
//! attempt breaks and the create fails with no answer at all. Either way the
//! object exists and nobody records it: the next `pulumi up` fails on the
//! same name, and a destroy leaves it behind. [`create_or_find`] turns such
//! a create into the success it was, when the object it finds was made since
//! the request started.

use std::future::Future;
use std::time::{Duration, SystemTime};

use super::AwsError;

/// How much earlier than the request an object may have been created and
/// still count as made by it: the clocks of this machine and of AWS differ
/// a little.
pub const CLOCK_SKEW: Duration = Duration::from_secs(60);

/// When a create request started, to tell the objects it may have made
/// from older ones.
#[derive(Debug, Clone, Copy)]
pub struct RequestClock {
    started: SystemTime,
}

impl RequestClock {
    /// A clock started now, just before the request is sent.
    pub fn start() -> Self {
        RequestClock {
            started: SystemTime::now(),
        }
    }

    /// Whether an object created at `created` may have been made by the
    /// request.
    pub fn may_have_made(&self, created: SystemTime) -> bool {
        created + CLOCK_SKEW >= self.started
    }
}

/// The time AWS reports, as a [`SystemTime`] (the epoch when unreadable).
pub fn system_time(time: Option<&aws_smithy_types::DateTime>) -> SystemTime {
    time.and_then(|t| SystemTime::try_from(*t).ok())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// What a create returns: `created` when it succeeded. When it failed in a
/// way that may hide a create that took effect ([`AwsError::may_hide_a_create`]),
/// `find` looks the object up (`Some((value, creation time))`); one made
/// since the request started is the one the request made, and its value is
/// returned as created. Otherwise the create's own error.
pub async fn create_or_find<T, F, Fut>(
    clock: RequestClock,
    created: Result<T, AwsError>,
    find: F,
) -> Result<T, AwsError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Option<(T, SystemTime)>, AwsError>>,
{
    match created {
        Ok(value) => Ok(value),
        Err(error) if error.may_hide_a_create() => match find().await? {
            Some((value, made)) if clock.may_have_made(made) => {
                tracing::info!(
                    "{} {}: the answer was lost, the object it created is there",
                    error.service,
                    error.operation
                );
                Ok(value)
            }
            _ => Err(error),
        },
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{AwsErrorKind, Service};

    fn error(kind: AwsErrorKind, unanswered: u32) -> AwsError {
        AwsError {
            service: Service::SageMaker,
            operation: "CreateModel",
            kind,
            code: None,
            message: "Cannot create already existing model".into(),
            attempts: Some(2),
            unanswered,
        }
    }

    async fn found(made: SystemTime) -> Result<Option<(&'static str, SystemTime)>, AwsError> {
        Ok(Some(("arn:found", made)))
    }

    #[tokio::test]
    async fn an_object_made_after_a_lost_answer_is_the_one_created() {
        let clock = RequestClock::start();
        let created = create_or_find(clock, Err(error(AwsErrorKind::AlreadyExists, 1)), || {
            found(SystemTime::now())
        })
        .await;
        assert_eq!(created.unwrap(), "arn:found");
        let no_answer = create_or_find(clock, Err(error(AwsErrorKind::Unanswered, 2)), || {
            found(SystemTime::now())
        })
        .await;
        assert_eq!(no_answer.unwrap(), "arn:found");
    }

    #[tokio::test]
    async fn an_older_object_or_an_answered_conflict_is_not_adopted() {
        let clock = RequestClock::start();
        let yesterday = SystemTime::now() - Duration::from_secs(86_400);
        let older = create_or_find(clock, Err(error(AwsErrorKind::AlreadyExists, 1)), || {
            found(yesterday)
        })
        .await;
        assert_eq!(older.unwrap_err().kind, AwsErrorKind::AlreadyExists);
        // Every attempt was answered: the object was there before.
        let answered = create_or_find(clock, Err(error(AwsErrorKind::AlreadyExists, 0)), || {
            found(SystemTime::now())
        })
        .await;
        assert_eq!(answered.unwrap_err().kind, AwsErrorKind::AlreadyExists);
        // A throttled create made nothing.
        let throttled = create_or_find(clock, Err(error(AwsErrorKind::Throttled, 1)), || {
            found(SystemTime::now())
        })
        .await;
        assert_eq!(throttled.unwrap_err().kind, AwsErrorKind::Throttled);
        let nothing = create_or_find(clock, Err(error(AwsErrorKind::Unanswered, 3)), || async {
            Ok::<Option<(&str, SystemTime)>, AwsError>(None)
        })
        .await;
        assert_eq!(nothing.unwrap_err().kind, AwsErrorKind::Unanswered);
    }
}
